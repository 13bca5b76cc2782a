"""A sentiment model with no opinion, so the news topics exist end to end before real
analyzers arrive. It says so: confidence 0, model name ``placeholder``."""

from __future__ import annotations

from tradebot.domain.messages import Article

__all__ = ["PlaceholderSentiment"]


class PlaceholderSentiment:
    name = "placeholder"

    def score(self, article: Article, ticker: str) -> tuple[float, float]:
        return 0.0, 0.0
