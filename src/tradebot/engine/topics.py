"""Pipeline topic names (DESIGN.md §2). One constant per topic, used by every bus."""

from __future__ import annotations

from typing import Final

__all__ = [
    "DECISIONS",
    "FILLS",
    "MARKET_BARS",
    "NEWS_RAW",
    "NEWS_SCORED",
    "ORDERS",
    "ORDER_UPDATES",
    "SIGNALS",
    "TRADES_CLOSED",
]

MARKET_BARS: Final = "market.bars"
NEWS_RAW: Final = "news.raw"
NEWS_SCORED: Final = "news.scored"
SIGNALS: Final = "signals"
DECISIONS: Final = "decisions"
ORDERS: Final = "orders"
FILLS: Final = "fills"
ORDER_UPDATES: Final = "orders.venue"
"""Status changes the venue made on its own (a rejection at fill time, an OCO cancel)."""
TRADES_CLOSED: Final = "trades.closed"
