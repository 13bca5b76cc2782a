"""Alpaca's JSON shapes, built from the fake's state: the field names and enum spellings of
Alpaca's documented API, which alpaca-py's pydantic models parse.

Two conventions a client must know (both Alpaca's own): decimals travel as strings, and a
market-data bar is labelled by the time its interval **opens** (``t``), whereas a tradebot
:class:`~tradebot.domain.bar.Bar` is labelled by its close — so ``t = bar.ts - timeframe``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe

__all__ = [
    "ALPACA_TIMEFRAMES",
    "account_id",
    "asset_id",
    "bar_json",
    "bar_start",
    "dec",
    "fmt",
    "new_id",
    "price",
    "rfc3339",
]

_NAMESPACE = uuid.UUID("6f1c3a52-5d0e-4d7e-9b7a-2c1f0e9a4b11")
_SERIAL: Iterator[int] = count(1)

ALPACA_TIMEFRAMES: dict[str, Timeframe] = {
    "1Min": Timeframe.M1,
    "5Min": Timeframe.M5,
    "15Min": Timeframe.M15,
    "1Hour": Timeframe.H1,
    "1Day": Timeframe.D1,
}
"""The ``timeframe`` query values alpaca-py sends (``str(TimeFrame(amount, unit))``) for
the timeframes tradebot knows."""


def new_id(kind: str) -> str:
    """A fresh UUID string (order, execution, account ids), unique within the process and
    derived from a counter: the fake is reproducible and reads no randomness."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{next(_SERIAL)}"))


def account_id(key_id: str) -> str:
    """The account's id, stable per API key."""
    return str(uuid.uuid5(_NAMESPACE, f"account/{key_id}"))


def asset_id(symbol: str) -> str:
    """A stable asset id per symbol, as Alpaca's are."""
    return str(uuid.uuid5(_NAMESPACE, f"asset/{symbol}"))


def rfc3339(ts: datetime | None) -> str | None:
    """UTC timestamps as Alpaca writes them (``2024-01-02T15:04:05.123456Z``)."""
    if ts is None:
        return None
    return ts.isoformat().replace("+00:00", "Z")


def fmt(value: Decimal | None) -> str | None:
    """A decimal as Alpaca sends it: a plain string, never exponent notation."""
    return None if value is None else format(value, "f")


def dec(value: Any, field: str) -> Decimal:
    """A request's decimal field (string or number); a bad one raises ``ValueError``."""
    try:
        out = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValueError(f"invalid {field}") from exc
    if not out.is_finite():
        raise ValueError(f"invalid {field}")
    return out


def price(value: float) -> Decimal:
    """A bar price as the venue trades it: cents, or 1/100 cent below a dollar."""
    raw = Decimal(str(value))
    return raw.quantize(Decimal("0.01") if raw >= 1 else Decimal("0.0001"))


def bar_start(bar: Bar) -> datetime:
    """Alpaca's label for ``bar``: when its interval opened."""
    return bar.ts - timedelta(seconds=bar.timeframe.seconds)


def bar_json(bar: Bar) -> dict[str, Any]:
    """A bar in the REST shape (``t`` as RFC 3339); the streams add ``T``/``S``."""
    return {
        "t": rfc3339(bar_start(bar)),
        "o": bar.open,
        "h": bar.high,
        "l": bar.low,
        "c": bar.close,
        "v": bar.volume,
        "n": 0,
        "vw": round((bar.high + bar.low + bar.close) / 3, 4),
    }
