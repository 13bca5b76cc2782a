"""A tier that could not be built: it answers *no score* for everything and says why.

A tiered chain keeps running when one of its tiers is missing (an extra not installed, a
model not downloaded): the missing tier is replaced by this, whose ``reason`` the composition
root logs once, and the other tiers go on.
"""

from __future__ import annotations

from collections.abc import Sequence

from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.result import SentimentResult

__all__ = ["UnavailableAnalyzer"]


class UnavailableAnalyzer(TextAnalyzer):
    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        return [None] * len(texts)
