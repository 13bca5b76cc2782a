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

The chain keeps count of what each tier was asked and answered, so a caller that reports
figures (``tradebot sentiment eval``) can say which tiers really took part:
:meth:`TieredAnalyzer.missing_tiers` names the tiers that could not be built (an
:class:`~tradebot.sentiment.unavailable.UnavailableAnalyzer` stands in for them) or that were
asked and answered nothing, with why. Figures of a chain with a missing tier are the
figures of the tiers that answered, never those of the configured chain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tradebot.domain.messages import Article
from tradebot.sentiment.base import TextAnalyzer
from tradebot.sentiment.result import SentimentResult
from tradebot.sentiment.unavailable import UnavailableAnalyzer

__all__ = ["MissingTier", "TieredAnalyzer"]


@dataclass(frozen=True, slots=True)
class MissingTier:
    """A tier of the chain that gave no answer at all, and why."""

    name: str
    reason: str


class TieredAnalyzer(TextAnalyzer):
    name = "tiered"

    def __init__(self, tiers: Sequence[TextAnalyzer], *, threshold: float = 0.6) -> None:
        if not tiers:
            raise ValueError("a tiered analyzer needs at least one tier")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be in 0..1, got {threshold}")
        self.tiers = tuple(tiers)
        self.threshold = threshold
        self.asked: Counter[int] = Counter()
        """Texts each tier (by position in the chain) was asked to score so far."""
        self.answered: Counter[int] = Counter()
        """Texts each tier (by position) gave a score for so far."""

    def missing_tiers(self) -> list[MissingTier]:
        """The tiers that took no part: not built (their reason), or asked and answering
        nothing (the tier's ``last_problem`` where it keeps one). A tier never asked
        (every text was decided before it) is not missing."""
        missing = []
        for index, tier in enumerate(self.tiers):
            if isinstance(tier, UnavailableAnalyzer):
                missing.append(MissingTier(tier.name, tier.reason))
            elif self.asked[index] and not self.answered[index]:
                problem = getattr(tier, "last_problem", None)
                asked = self.asked[index]
                reason = problem or f"it scored none of the {asked} texts it was asked"
                missing.append(MissingTier(tier.name, str(reason)))
        return missing

    def score_article(self, article: Article, ticker: str) -> SentimentResult | None:
        """One article, tier by tier through each tier's own ``score_article`` (so a tier
        that can focus on ``ticker``, such as the LLM, does)."""
        kept: SentimentResult | None = None
        for index, tier in enumerate(self.tiers):
            answer = tier.score_article(article, ticker)
            self.asked[index] += 1
            if answer is not None:
                self.answered[index] += 1
                kept = answer
                if answer.confidence >= self.threshold:
                    break
        return kept

    def score_texts(self, texts: Sequence[str]) -> list[SentimentResult | None]:
        results: list[SentimentResult | None] = [None] * len(texts)
        pending = list(range(len(texts)))
        for index, tier in enumerate(self.tiers):
            if not pending:
                break
            answers = tier.score_texts([texts[i] for i in pending])
            if len(answers) != len(pending):
                raise RuntimeError(
                    f"tier {tier.name!r} returned {len(answers)} results for {len(pending)} texts"
                )
            self.asked[index] += len(pending)
            still: list[int] = []
            for i, answer in zip(pending, answers, strict=True):
                if answer is not None:
                    self.answered[index] += 1
                    results[i] = answer
                if answer is None or answer.confidence < self.threshold:
                    still.append(i)
            pending = still
        return results
