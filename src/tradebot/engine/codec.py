"""Wire format of each topic, for buses that cross a process boundary.

The memory bus passes objects as they are; a stream bus (Redis) serialises here and only
here, so stages never see bytes. Each topic has exactly one message type, and decoding
validates it (a malformed message is refused with the topic named, never half-applied).
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from tradebot.domain.bar import Bar, validate_bar
from tradebot.domain.errors import DataError
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    Fill,
    Order,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.engine import topics

__all__ = ["TOPIC_TYPES", "decode", "encode"]

TOPIC_TYPES: dict[str, type[Any]] = {
    topics.MARKET_BARS: Bar,
    topics.NEWS_RAW: Article,
    topics.NEWS_SCORED: ScoredArticle,
    topics.SIGNALS: Signal,
    topics.DECISIONS: TradingDecision,
    topics.ORDERS: Order,
    topics.FILLS: Fill,
    topics.TRADES_CLOSED: ClosedTrade,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {t: TypeAdapter(c) for t, c in TOPIC_TYPES.items()}


def _adapter(topic: str) -> TypeAdapter[Any]:
    try:
        return _ADAPTERS[topic]
    except KeyError:
        raise DataError(f"unknown topic {topic!r}", f"use one of {', '.join(_ADAPTERS)}") from None


def encode(topic: str, message: Any) -> bytes:
    """JSON bytes of ``message``; Decimals travel as strings, datetimes as ISO 8601."""
    expected = TOPIC_TYPES.get(topic)
    if expected is not None and not isinstance(message, expected):
        raise TypeError(f"topic {topic!r} carries {expected.__name__}, not {type(message)!r}")
    return _adapter(topic).dump_json(message)


def decode(topic: str, payload: bytes | str) -> Any:
    """The validated message; bars also pass :func:`validate_bar` (UTC, finite, high >= low)."""
    try:
        message = _adapter(topic).validate_json(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "message"
        raise DataError(
            f"malformed {topic} message: {where}: {first['msg']}",
            "the producer sent a message this version cannot read",
        ) from exc
    return validate_bar(message) if isinstance(message, Bar) else message
