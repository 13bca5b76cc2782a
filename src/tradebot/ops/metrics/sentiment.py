"""The sentiment model's latency: a :class:`~tradebot.ports.SentimentModel` that times the
one it wraps.

How long a model took is not on the bus (a :class:`~tradebot.domain.messages.ScoredArticle`
says who scored, not how long it took), so the runtime wraps the run's analyzer in
:class:`TimedSentiment` — paper and live sessions only, a backtest keeps the bare analyzer.
The wrapper adds two monotonic reads and one histogram observation per scoring call and
changes nothing else: same name, same results, same exceptions; other attributes are the
wrapped model's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tradebot.domain.messages import Article
from tradebot.ops.metrics.definitions import EngineMetrics
from tradebot.ops.metrics.labels import Capped
from tradebot.ports import SentimentModel
from tradebot.sentiment.result import SentimentResult

__all__ = ["UNSCORED", "TimedSentiment"]

UNSCORED = "unscored"
"""The tier label of a call that gave no score (a tier down, a model refusing)."""


class TimedSentiment:
    """``model``, with each ``score_article`` call observed by model tier."""

    def __init__(
        self, model: SentimentModel, metrics: EngineMetrics, monotonic: Callable[[], float]
    ) -> None:
        self.model = model
        self.name = model.name
        self._seconds = metrics.sentiment_seconds
        self._monotonic = monotonic
        self._tier = Capped(8, (UNSCORED,))

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        started = self._monotonic()
        result = self.model.score_article(article, ticker)
        took = max(0.0, self._monotonic() - started)
        tier = UNSCORED if result is None else self._tier(result.model)
        self._seconds.labels(tier).observe(took)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)
