"""What every read module shares: a short session on the service engine, a page of results,
and the small SQL helpers that keep filters portable between SQLite and PostgreSQL.

Reads are one short transaction each, on the service layer's own engine (any thread). A
database failure becomes one :class:`~tradebot.domain.errors.StoreError` line (503 at the
API); a run, trade or strategy that does not exist is a :class:`NotFoundError` (404).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    Float,
    Select,
    SQLColumnExpression,
    Text,
    cast,
    func,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.sql.connect import store_error
from tradebot.config import mask_url
from tradebot.domain.errors import TradebotError
from tradebot.service.queries.cache import RECENT, Recent, StampedCache

__all__ = [
    "NotFoundError",
    "Paged",
    "Reader",
    "count_of",
    "json_list_has",
    "money_sign_above_zero",
    "scrub",
]

T = TypeVar("T")


class NotFoundError(TradebotError):
    """What was asked for (a run, a trade, a strategy...) is not in the store (404)."""


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of a list, newest first, with the total matching the same filters."""

    items: Sequence[T]
    total: int
    limit: int
    offset: int


class Reader:
    """Short read sessions on ``db``; rows stay readable after their session ends (nothing
    is written, so nothing is expired at its commit)."""

    def __init__(self, db: Engine, *, fresh_for_s: float = 0.0) -> None:
        """``fresh_for_s``: how long the default run and the run stamps are kept
        (:class:`~tradebot.service.queries.cache.Recent`)."""
        self.db = db
        self.totals = StampedCache(256)
        self.recent = Recent(fresh_for_s)

    @contextmanager
    def session(self, doing: str = "reading the store") -> Iterator[Session]:
        try:
            with Session(self.db, expire_on_commit=False) as session, session.begin():
                session.info[RECENT] = self.recent
                yield session
        except SQLAlchemyError as exc:
            raise store_error(exc, self.db.url, doing) from exc

    def page(
        self,
        query: Select[Any],
        limit: int,
        offset: int,
        *,
        doing: str = "reading the store",
    ) -> tuple[list[Any], int]:
        """:meth:`page_in` a session of its own."""
        with self.session(doing) as session:
            return self.page_in(session, query, limit, offset)

    def page_in(
        self,
        session: Session,
        query: Select[Any],
        limit: int,
        offset: int,
        *,
        key: Hashable | None = None,
        stamp: Hashable | None = None,
    ) -> tuple[list[Any], int]:
        """The rows of ``query`` (already ordered) in ``[offset, offset + limit)`` and how
        many rows ``query`` has in all (a COUNT with the same filters, in SQL).

        With ``key`` and ``stamp`` (read in the same transaction) the total is kept under
        ``key`` while ``stamp`` is unchanged; a page past the end is not queried."""
        if key is not None and stamp is not None:
            total = self.totals.get(key, stamp, lambda: session.scalar(count_of(query)) or 0)
        else:
            total = session.scalar(count_of(query)) or 0
        if offset >= total:
            return [], total
        return list(session.scalars(query.limit(limit).offset(offset))), total


def count_of(query: Select[Any]) -> Select[int]:
    """``SELECT count(*)`` over ``query``'s filters, without its ORDER BY."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def money_sign_above_zero(column: SQLColumnExpression[Decimal]) -> ColumnElement[bool]:
    """``column > 0`` for an :class:`~tradebot.adapters.sql.types.ExactDecimal` column.

    SQLite keeps money as decimal text, which compares as text; as a float its sign is
    right for every finite amount (only the sign is asked), on PostgreSQL as well."""
    return cast(column, Float) > 0


def json_list_has(column: SQLColumnExpression[Any], item: str) -> ColumnElement[bool]:
    """A JSON array column holds the string ``item`` (matched on the stored JSON text, so
    it works on SQLite and PostgreSQL alike). ``item`` is a validated name: quotes and
    backslashes never reach here; LIKE's wildcards are escaped."""
    escaped = item.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, Text).like(f'%"{escaped}"%', escape="\\")


def scrub(value: Any) -> Any:
    """``value`` (recorded JSON) with any URL password masked, for a response."""
    if isinstance(value, str):
        return mask_url(value)
    if isinstance(value, dict):
        return {str(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value
