"""Frozen dataclasses to plain JSON-able dicts and back, driven by their type hints.

The risk state is persisted by the store as JSON and rebuilt on restart, so every value
must survive ``from_plain(T, to_plain(x)) == x`` exactly: ``Decimal`` travels as its string,
``datetime``/``date`` as ISO 8601 (timezone kept), ``timedelta`` as seconds (a string of the
exact Decimal), enums as their value, tuples as lists, mappings as objects with string keys.
Supported hints: those types, ``str/int/float/bool``, ``X | None``, ``tuple[X, ...]``,
fixed ``tuple[X, Y]``, ``Mapping[str, X]`` / ``dict[str, X]`` and nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from tradebot.domain.errors import DataError

__all__ = ["from_plain", "to_plain"]

T = TypeVar("T")


_SCALARS = frozenset({type(None), bool, int, float, str})


_FIELDS: dict[type[Any], tuple[str, ...] | None] = {}


def _field_names(cls: type[Any]) -> tuple[str, ...] | None:
    """A dataclass type's field names in order (None for any other type), looked up once."""
    names = _FIELDS.get(cls, ())
    if names == ():
        is_dataclass = dataclasses.is_dataclass(cls)
        names = tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else None
        _FIELDS[cls] = names
    return names


def to_plain(value: object) -> Any:
    """A JSON-able rendering of ``value`` (dataclasses become dicts of their fields)."""
    kind: type[Any] = type(value)  # exact types first: the risk records' hot path (same results)
    if kind in _SCALARS:
        return value
    if kind is Decimal:
        return str(value)
    names = _field_names(kind)
    if names is not None:
        return {name: to_plain(getattr(value, name)) for name in names}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(
            Decimal(value.days * 86_400 + value.seconds) + Decimal(value.microseconds) / 10**6
        )
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} as plain JSON")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(hint: Any, value: Any) -> Any:
    """The value of type ``hint`` that ``value`` (from :func:`to_plain`) encodes."""
    try:
        return _decode(hint, value)
    except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
        name = getattr(hint, "__name__", str(hint))
        raise DataError(
            f"stored risk state does not decode as {name}: {exc}",
            "the record is corrupt or from an incompatible version; rebuild the state",
        ) from exc


def _decode(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        if len(options) != 1:
            raise TypeError(f"unsupported union {hint}")
        return _decode(options[0], value)
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        if len(args) != len(value):
            raise ValueError(f"expected {len(args)} items, got {len(value)}")
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if origin in (dict, Mapping):
        key_type, value_type = typing.get_args(hint)
        return {_decode(key_type, k): _decode(value_type, v) for k, v in value.items()}
    if hint is Any:
        return value
    if isinstance(hint, type):
        return _decode_type(hint, value)
    raise TypeError(f"unsupported type hint {hint}")


def _decode_type(cls: type, value: Any) -> Any:
    if dataclasses.is_dataclass(cls):
        hints = _hints(cls)
        kwargs = {
            f.name: _decode(hints[f.name], value[f.name])
            for f in dataclasses.fields(cls)
            if f.name in value or f.default is dataclasses.MISSING
        }
        return cls(**kwargs)
    if issubclass(cls, Enum):
        return cls(value)
    if cls is Decimal:
        return Decimal(value)
    if cls is datetime:
        return datetime.fromisoformat(value)
    if cls is date:
        return date.fromisoformat(value)
    if cls is timedelta:
        seconds = Decimal(value)
        whole = int(seconds)
        return timedelta(seconds=whole, microseconds=int((seconds - whole) * 10**6))
    if cls is bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected a boolean, got {value!r}")
        return value
    if cls is float:
        return float(value)
    if cls in (int, str):
        if not isinstance(value, cls):
            raise TypeError(f"expected {cls.__name__}, got {value!r}")
        return value
    raise TypeError(f"unsupported type {cls.__name__}")
