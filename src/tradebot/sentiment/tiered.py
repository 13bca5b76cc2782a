"""``tiered``: a fast primary analyzer, slower fallbacks only where it is unsure.

For each text the tiers are asked in order; the next tier is consulted only while the
answer so far is missing or its confidence is below ``threshold`` (0.6 by default, as in the
seed: FinBERT first, the LLM for what FinBERT is unsure of). The answer kept is the first
that reaches the threshold; if none does, the last tier that answered at all (the later
tiers are the stronger models, asked exactly because the earlier ones hesitated). Every
result keeps the ``model`` of the tier that produced it.

A tier that fails gives *no score* for that text — never a default or an older value — and
the next tier is tried; when no tier answers, the text has no score (``None``). Batches stay
batches: each tier receives, in one call, only the texts still undecided.
"""

from __future__ import annotations

from collections.abc import Sequence

from tradebot.domain.messages import Article
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.result import SentimentResult

__all__ = ["TieredAnalyzer"]


class TieredAnalyzer(TextAnalyzer):
    name = "tiered"

    def __init__(self, tiers: Sequence[TextAnalyzer], *, threshold: float = 0.6) -> None:
        if not tiers:
            raise ValueError("a tiered analyzer needs at least one tier")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in 0..1, got {threshold}")
        self.tiers = tuple(tiers)
        self.threshold = threshold

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        """One article, tier by tier through each tier's own ``score_article`` (so a tier
        that can focus on ``ticker``, such as the LLM, does)."""
        kept: SentimentResult | None = None
        for tier in self.tiers:
            answer = tier.score_article(article, ticker)
            if answer is not None:
                kept = answer
                if answer.confidence >= self.threshold:
                    break
        return kept

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        results: list[SentimentResult | None] = [None] * len(texts)
        pending = list(range(len(texts)))
        for tier in self.tiers:
            if not pending:
                break
            answers = tier.score_texts([texts[i] for i in pending])
            if len(answers) != len(pending):
                raise RuntimeError(
                    f"tier {tier.name!r} returned {len(answers)} results for {len(pending)} texts"
                )
            still: list[int] = []
            for i, answer in zip(pending, answers, strict=True):
                if answer is not None:
                    results[i] = answer
                if answer is None or answer.confidence < self.threshold:
                    still.append(i)
            pending = still
        return results
