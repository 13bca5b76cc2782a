"""Per-ticker sentiment: one :class:`SentimentContext` per ticker, created on first news.

This is what a stage keeps when it follows many tickers (the signal stage, ``tradebot news``,
the dashboard): every context shares the same half-life, maximum age and size, set once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tradebot.sentiment.context import SentimentContext, SentimentSnapshot

__all__ = ["SentimentBook"]


class SentimentBook:
    def __init__(
        self,
        *,
        half_life: timedelta = timedelta(hours=4),
        max_age: timedelta = timedelta(days=3),
        max_items: int = 200,
    ) -> None:
        SentimentContext(half_life, max_age, max_items)  # validates the settings once
        self.half_life = half_life
        self.max_age = max_age
        self.max_items = max_items
        self._contexts: dict[str, SentimentContext] = {}

    def context(self, ticker: str) -> SentimentContext:
        """The ticker's context (an empty one is created and kept on first use)."""
        found = self._contexts.get(ticker)
        if found is None:
            found = SentimentContext(self.half_life, self.max_age, self.max_items)
            self._contexts[ticker] = found
        return found

    def add(self, ticker: str, ts: datetime, score: float, confidence: float) -> None:
        self.context(ticker).add(ts, score, confidence)

    def snapshot(self, ticker: str, now: datetime) -> SentimentSnapshot:
        return self.context(ticker).snapshot(now)

    def tickers(self) -> list[str]:
        """Tickers with any news recorded, sorted."""
        return sorted(ticker for ticker, ctx in self._contexts.items() if ctx.items)
