"""What news-aware strategies know about a ticker: recent scores, decayed by age.

Pure: time comes in as an argument. A score's weight halves every ``half_life``; scores older
than ``max_age`` are dropped, so the context stays small and never revives stale news.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["ScoredItem", "SentimentContext"]


@dataclass(frozen=True, slots=True)
class ScoredItem:
    ts: datetime
    score: float
    confidence: float


@dataclass(slots=True)
class SentimentContext:
    """Recent sentiment of one ticker."""

    half_life: timedelta = timedelta(hours=4)
    max_age: timedelta = timedelta(days=3)
    max_items: int = 200
    items: deque[ScoredItem] = field(default_factory=deque)

    def add(self, ts: datetime, score: float, confidence: float) -> None:
        self.items.append(ScoredItem(ts, score, confidence))
        while len(self.items) > self.max_items:
            self.items.popleft()

    def _fresh(self, now: datetime) -> list[tuple[ScoredItem, float]]:
        horizon = now - self.max_age
        while self.items and self.items[0].ts < horizon:
            self.items.popleft()
        half = self.half_life.total_seconds()
        return [
            (item, math.exp(-math.log(2) * max((now - item.ts).total_seconds(), 0.0) / half))
            for item in self.items
            if item.ts <= now
        ]

    def score(self, now: datetime) -> float:
        """Decay- and confidence-weighted mean score in -1..1 (0.0 without news)."""
        fresh = self._fresh(now)
        weight = sum(w * item.confidence for item, w in fresh)
        if weight <= 0.0:
            return 0.0
        return sum(w * item.confidence * item.score for item, w in fresh) / weight

    def confidence(self, now: datetime) -> float:
        """Decay-weighted mean confidence (0.0 without news)."""
        fresh = self._fresh(now)
        weight = sum(w for _, w in fresh)
        return sum(w * item.confidence for item, w in fresh) / weight if weight > 0 else 0.0

    def article_count(self, now: datetime) -> int:
        return len(self._fresh(now))

    def latest(self, now: datetime) -> ScoredItem | None:
        fresh = self._fresh(now)
        return fresh[-1][0] if fresh else None
