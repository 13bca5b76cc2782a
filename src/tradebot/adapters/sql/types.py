"""Column types that make money and time mean the same thing on SQLite and PostgreSQL.

* :class:`ExactDecimal` — unconstrained ``NUMERIC`` on PostgreSQL (arbitrary precision,
  keeps the value's scale). SQLite has no exact decimal (a ``NUMERIC`` column silently
  becomes a binary float), so there the value is stored as its plain decimal text. Either
  way the ``Decimal`` that comes back equals the one that went in, digit for digit and with
  the same scale: ``0.1 + 0.2`` is ``0.3``, and a notional computed as quantity × price
  keeps all its places (a fixed ``NUMERIC(28, 10)`` would round it, and a ledger rebuilt
  from the store would then disagree with the one that never stopped). NaN and infinities
  are refused on both.
* :class:`UtcDateTime` — ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, fixed-width UTC text
  on SQLite. A naive datetime is refused (it names no instant); whatever goes in comes back
  timezone-aware in UTC, to the microsecond.
* :class:`JsonDoc` — ``JSONB`` on PostgreSQL, ``JSON`` (text) on SQLite.

SQLite compares the text columns as text: do arithmetic and range filters on money in
Python, or on PostgreSQL. Timestamps compare correctly on both (fixed-width UTC text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import JSON, DateTime, Dialect, Numeric, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from tradebot.domain.batch import EPOCH

__all__ = [
    "ExactDecimal",
    "JsonDoc",
    "UtcDateTime",
    "check_decimal",
    "column_form",
    "to_utc",
]


def check_decimal(value: Decimal | int) -> Decimal:
    """``value`` as a storable ``Decimal``; ``ValueError`` if it is not a finite number."""
    if type(value) is not Decimal:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected Decimal, got {type(value).__name__} {value!r}")
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"cannot store non-finite decimal {value}")
    return value if value else value.copy_abs()  # PostgreSQL has no negative zero


def _decimal_text(value: Decimal | None) -> str | None:
    if type(value) is Decimal and value and value.is_finite():  # the bulk writer's usual case
        return format(value, "f")
    return None if value is None else format(check_decimal(value), "f")


def _utc_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = to_utc(value)
    # "...+00:00" cut off: cheaper than a naive copy of the datetime first
    return value.isoformat(" ", "microseconds")[:-6]


_MICROSECOND = timedelta(microseconds=1)
_FIRST_MICROS = (datetime(1, 1, 1, tzinfo=UTC) - EPOCH) // _MICROSECOND


def decimal_texts(values: Iterable[Decimal | None]) -> list[str | None]:
    """A column of SQLite decimal texts, formatted once per run of the same object.

    A ledger column repeats its object from row to row (a run's cash and realised P&L stay
    the same object between fills), so a value is formatted when it differs by identity
    from the one before. Only identity: ``Decimal("1.0") == Decimal("1.00")`` but their
    texts differ."""
    texts: list[str | None] = []
    append = texts.append
    last: object = texts  # no value is this list
    text: str | None = None
    for value in values:
        if value is not last:
            last, text = value, _decimal_text(value)
        append(text)
    return texts


def utc_texts(values: Sequence[datetime | None]) -> list[str | None]:
    """A column of SQLite UTC texts, made in one vectorised call (``_utc_text`` per value
    costs an ``isoformat`` each). The same text as ``_utc_text`` for every aware datetime
    (property-tested); a column with ``None`` or a naive value takes the per-value path,
    which refuses the naive one."""
    try:
        micros = [(value - EPOCH) // _MICROSECOND for value in values]  # type: ignore[operator]
    except TypeError:  # None, or naive: no instant to subtract from
        return list(map(_utc_text, values))
    if micros and min(micros) < _FIRST_MICROS:  # before year 1 in UTC: let it refuse
        return list(map(_utc_text, values))
    stamps = np.array(micros, dtype="datetime64[us]")
    return [text[:10] + " " + text[11:] for text in np.datetime_as_string(stamps).tolist()]


_COLUMN_FORMS: dict[Callable[[Any], Any], Callable[[Sequence[Any]], list[Any]]] = {
    _decimal_text: decimal_texts,
    _utc_text: utc_texts,
}


def column_form(processor: Callable[[Any], Any]) -> Callable[[Sequence[Any]], list[Any]]:
    """The whole-column equivalent of a bind processor: the same values, made faster for
    the SQLite text types, ``map`` for any other."""
    form = _COLUMN_FORMS.get(processor)
    if form is not None:
        return form
    return lambda values: list(map(processor, values))


def to_utc(value: datetime) -> datetime:
    """``value`` as a UTC datetime; ``ValueError`` if it is naive."""
    if value.tzinfo is UTC:
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"refusing naive datetime {value.isoformat()}: timestamps must be UTC")
    return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal of any precision on every backend (see the module docstring)."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        # On SQLite the stored form is plain text with no driver conversion after it: one
        # direct function instead of SQLAlchemy's chain (the bulk writer's hot path).
        return _decimal_text if dialect.name == "sqlite" else super().bind_processor(dialect)

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = check_decimal(value)
        return format(exact, "f") if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(value)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (see the module docstring)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            # Fixed-width text ('YYYY-MM-DD HH:MM:SS.ffffff', the format SQLAlchemy and
            # SQLite's date functions use): sorts and compares in time order.
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        return _utc_text if dialect.name == "sqlite" else super().bind_processor(dialect)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return _utc_text(value) if dialect.name == "sqlite" else to_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class JsonDoc(TypeDecorator[Any]):
    """A JSON document: ``JSONB`` on PostgreSQL (indexable, comparable), ``JSON`` elsewhere."""

    impl = JSON(none_as_null=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))
