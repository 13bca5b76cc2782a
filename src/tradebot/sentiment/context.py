"""What news-aware strategies know about a ticker: recent scores, decayed by age.

Pure: time comes in as an argument. A score's weight halves every ``half_life``
(configurable, 4 h by default, as the seed's "stale after 4 hours"); scores older than
``max_age`` are dropped, so the context stays small and never revives stale news. Items
published after ``now`` are invisible at ``now`` (no look-ahead), whatever order they were
added in.

- ``score(now)``: decay- and confidence-weighted mean score in -1..1 (0.0 without news);
- ``confidence(now)``: decay-weighted mean confidence in 0..1 (0.0 without news);
- ``article_count(now)``: items visible at ``now``;
- ``snapshot(now)``: all of the above and the newest item in one pass;
  ``snapshot(now, neutral_band=b)`` leaves items with ``|score| < b`` (news that carried no
  direction) out of the score, the confidence and the newest item, while still counting them.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["ScoredItem", "SentimentContext", "SentimentSnapshot"]

_LN2 = math.log(2.0)


@dataclass(frozen=True, slots=True)
class ScoredItem:
    ts: datetime
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class SentimentSnapshot:
    """A ticker's sentiment as seen at one moment."""

    score: float
    confidence: float
    article_count: int
    latest: ScoredItem | None


_EMPTY = SentimentSnapshot(0.0, 0.0, 0, None)


@dataclass(slots=True)
class SentimentContext:
    """Recent sentiment of one ticker, items kept in ``ts`` order."""

    half_life: timedelta = timedelta(hours=4)
    max_age: timedelta = timedelta(days=3)
    max_items: int = 200
    items: deque[ScoredItem] = field(default_factory=deque)

    def __post_init__(self) -> None:
        if self.half_life <= timedelta(0):
            raise ValueError(f"half_life must be positive, got {self.half_life}")
        if self.max_age <= timedelta(0):
            raise ValueError(f"max_age must be positive, got {self.max_age}")
        if self.max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {self.max_items}")

    def add(self, ts: datetime, score: float, confidence: float) -> None:
        """Record a scored item; an item older than the newest is inserted in order."""
        if ts.tzinfo is None:
            raise ValueError("sentiment timestamps must be timezone-aware (UTC)")
        if not (math.isfinite(score) and -1.0 <= score <= 1.0):
            raise ValueError(f"sentiment score must be in -1..1, got {score!r}")
        if not (math.isfinite(confidence) and 0.0 <= confidence <= 1.0):
            raise ValueError(f"sentiment confidence must be in 0..1, got {confidence!r}")
        item = ScoredItem(ts, score, confidence)
        if not self.items or self.items[-1].ts <= ts:
            self.items.append(item)
        else:  # rare: a late-arriving older story
            position = bisect.bisect_right([i.ts for i in self.items], ts)
            self.items.insert(position, item)
        while len(self.items) > self.max_items:
            self.items.popleft()

    def _prune(self, now: datetime) -> None:
        horizon = now - self.max_age
        while self.items and self.items[0].ts < horizon:
            self.items.popleft()

    def snapshot(self, now: datetime, *, neutral_band: float = 0.0) -> SentimentSnapshot:
        """Decayed score, mean confidence, count and newest item at ``now``, in one pass.

        With ``neutral_band`` > 0, items with ``|score| < neutral_band`` are counted but left
        out of the score, the confidence and ``latest``: on a busy ticker most items are
        chatter without a direction (the lexicon scores 81 % of the bundled StockNet tweets
        neutral), and averaging them in would make even strong news look weak. ``score``
        and ``confidence`` are then those of the directional news alone (0.0 without any)."""
        if not 0.0 <= neutral_band < 1.0:
            raise ValueError(f"neutral_band must be in [0, 1), got {neutral_band!r}")
        self._prune(now)
        half = self.half_life.total_seconds()
        weight = weighted_confidence = weighted_score = 0.0
        count = 0
        latest: ScoredItem | None = None
        for item in self.items:
            if item.ts > now:
                break  # ordered: everything after is in the future too
            if neutral_band > 0.0 and abs(item.score) < neutral_band:
                count += 1
                continue
            decay = math.exp(-_LN2 * (now - item.ts).total_seconds() / half)
            weight += decay
            weighted_confidence += decay * item.confidence
            weighted_score += decay * item.confidence * item.score
            count += 1
            latest = item
        if count == 0:
            return _EMPTY
        if latest is None:
            return SentimentSnapshot(0.0, 0.0, count, None)
        score = weighted_score / weighted_confidence if weighted_confidence > 0.0 else 0.0
        confidence = weighted_confidence / weight if weight > 0.0 else 0.0
        return SentimentSnapshot(
            max(-1.0, min(1.0, score)), max(0.0, min(1.0, confidence)), count, latest
        )

    def score(self, now: datetime) -> float:
        """Decay- and confidence-weighted mean score in -1..1 (0.0 without news)."""
        return self.snapshot(now).score

    def confidence(self, now: datetime) -> float:
        """Decay-weighted mean confidence (0.0 without news)."""
        return self.snapshot(now).confidence

    def article_count(self, now: datetime) -> int:
        return self.snapshot(now).article_count

    def latest(self, now: datetime) -> ScoredItem | None:
        return self.snapshot(now).latest
