"""News-driven (``news``): follow strong, confident, fresh sentiment about the ticker.

Idea: a strongly positive or negative news flow moves the price in its direction for a
while. The strategy reads the ticker's :class:`~tradebot.sentiment.context.SentimentContext`
at the bar's close time (only items published at or before it, so never a later article):
the confidence-weighted, age-decayed mean score and the mean confidence of the news that
has a direction — items with |score| below ``neutral_band`` (0.3, where the lexicon's
"neutral" ends) are counted but not averaged in. Entry: LONG when the score is above
``min_score`` (0.7) and the confidence above ``min_confidence`` (0.6). Exit: SHORT when the
score is below −``min_score`` with the same confidence. Strength: |score| × confidence,
multiplied by a staleness decay — 1 while the newest directional item is at most
``fresh_hours`` (4 h) old, then halving every further ``fresh_hours``; confidence is the
news confidence. No opinion without directional news younger than ``max_age_hours``.
Level-based: it speaks on every bar while the news qualifies, more softly as the news ages.
It needs no price history, so its warm-up is one bar.

Why the band: averaged with the neutral chatter, the news never qualified. On the bundled
StockNet tweets (10 stocks, 2014-2015, lexicon) 81 % of items score neutral; at the bar
closes with fresh news the mean over all items had a 99th percentile of 0.44, so the
strategy spoke on 9 of 4,357 bars; over directional items alone it speaks on 142.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from tradebot.domain.bar import Bar
from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams

__all__ = ["NewsDriven", "NewsParams"]


class NewsParams(StrategyParams):
    min_score: float = Field(
        default=0.7, ge=0, lt=1, description="|sentiment score| must exceed this"
    )
    min_confidence: float = Field(
        default=0.6, ge=0, lt=1, description="sentiment confidence must exceed this"
    )
    fresh_hours: float = Field(
        default=4.0, gt=0, le=168, description="full strength up to this news age, then halving"
    )
    max_age_hours: float = Field(
        default=24.0, gt=0, le=720, description="no opinion when the newest item is older"
    )
    neutral_band: float = Field(
        default=0.3,
        ge=0,
        lt=1,
        description="items with |score| below this have no direction: counted, not averaged",
    )

    @model_validator(mode="after")
    def _ages(self) -> NewsParams:
        if self.max_age_hours < self.fresh_hours:
            raise ValueError(
                f"max_age_hours ({self.max_age_hours}) must be at least "
                f"fresh_hours ({self.fresh_hours})"
            )
        return self


class NewsDriven(BaseStrategy[NewsParams]):
    """Strong, confident, fresh sentiment: long on good news, short on bad."""

    name = "news"
    params_model = NewsParams

    @property
    def warmup_period(self) -> int:
        return 1

    def reset(self) -> None:
        """Stateless: everything it reads is in the context."""

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """No opinion on any bar of the block. The kernel's batch path — the only caller of
        this hook — is taken only when there is no news source, so every context it would
        pass holds no sentiment, and :meth:`on_bar` answers None on every such bar: this
        says so without building each bar (a strategy that reads news in its context may
        offer the hook on that ground alone, see ``BatchStrategy``)."""
        return []

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        if ctx is None or not ctx.sentiment.items:
            return None
        sentiment = ctx.sentiment
        now = bar.ts
        p = self.params
        newest = sentiment.items[-1]  # the last added
        if newest.ts <= now and (now - newest.ts).total_seconds() > p.max_age_hours * 3600.0:
            return None  # everything is stale: O(1) per bar
        snapshot = sentiment.snapshot(now, neutral_band=p.neutral_band)
        latest = snapshot.latest
        if latest is None:
            return None
        age_h = (now - latest.ts).total_seconds() / 3600.0
        if age_h > p.max_age_hours:
            return None
        score, confidence = snapshot.score, snapshot.confidence
        if confidence <= p.min_confidence or abs(score) <= p.min_score:
            return None
        decay = 1.0 if age_h <= p.fresh_hours else 0.5 ** ((age_h - p.fresh_hours) / p.fresh_hours)
        return Opinion(
            Direction.LONG if score > 0 else Direction.SHORT,
            min(1.0, abs(score) * confidence * decay),
            confidence,
            f"news sentiment {score:+.2f} (confidence {confidence:.2f}, "
            f"{snapshot.article_count} items, newest directional {age_h:.1f} h old)",
        )
