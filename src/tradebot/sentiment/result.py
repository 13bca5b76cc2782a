"""What an analyzer says about one text, and what "no score" looks like.

An analyzer either returns a :class:`SentimentResult` for an item or ``None`` — *no score*:
the model could not run (extra not installed, model missing, service down) or its answer was
unusable. ``None`` is never replaced by a default, a stale value or a guess, so downstream
stages can tell "neutral" from "unknown" and simply skip the item. Through the
``(score, confidence)`` convenience (:meth:`TextAnalyzer.score`) the same outcome is a
:class:`SentimentUnavailableError`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tradebot.domain.errors import TradebotError

if TYPE_CHECKING:  # numpy only for the annotation: the lexicon path never loads it here
    from tradebot.sentiment.softmax_head import FloatArray

__all__ = [
    "LABELS",
    "Label",
    "SentimentResult",
    "SentimentUnavailableError",
    "label_for",
    "results_from_probabilities",
]


class Label(StrEnum):
    """The three classes of the labelled data sets (and of FinBERT)."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"


LABELS: tuple[Label, ...] = (Label.NEGATIVE, Label.NEUTRAL, Label.POSITIVE)
"""Fixed class order for confusion matrices and model heads."""


class SentimentUnavailableError(TradebotError):
    """An analyzer (or one tier of it) cannot produce a score: the stage skips the item."""


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """One scored text.

    ``score`` is in -1..1 (negative..positive), ``confidence`` in 0..1 (how far the analyzer
    trusts its own ``label``), ``model`` names the analyzer that produced it — for a tiered
    analyzer, the tier that answered. The label is the analyzer's own class decision: a
    classifier's argmax can differ from what the sign of ``score`` alone would say.
    """

    score: float
    confidence: float
    label: Label
    model: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.score) and -1.0 <= self.score <= 1.0):
            raise ValueError(f"sentiment score must be in -1..1, got {self.score!r}")
        if not (math.isfinite(self.confidence) and 0.0 <= self.confidence <= 1.0):
            raise ValueError(f"sentiment confidence must be in 0..1, got {self.confidence!r}")


def label_for(score: float, band: float) -> Label:
    """The label a score in -1..1 says on its own: positive at ``score >= band``, negative
    at ``score <= -band``, neutral between. For analyzers whose only output is a score (the
    lexicon, the LLM, test fakes); classifiers take their argmax instead."""
    if score >= band:
        return Label.POSITIVE
    if score <= -band:
        return Label.NEGATIVE
    return Label.NEUTRAL


def results_from_probabilities(
    probabilities: FloatArray, model: str, labels: Sequence[Label] = LABELS
) -> list[SentimentResult]:
    """Rows of class probabilities (columns in ``labels`` order) as results: score =
    p(positive) − p(negative), confidence = the winning class's probability, label = the
    argmax. Shared by every classifier (the embedding head, FinBERT) so they turn
    probabilities into scores the same way; ``labels`` lets a model keep its own class
    order (FinBERT's ``id2label``). Values are clamped into range against rounding."""
    negative, positive = labels.index(Label.NEGATIVE), labels.index(Label.POSITIVE)
    out: list[SentimentResult] = []
    for row in probabilities:
        best = int(row.argmax())
        score = float(row[positive] - row[negative])
        out.append(
            SentimentResult(
                max(-1.0, min(1.0, score)),
                max(0.0, min(1.0, float(row[best]))),
                labels[best],
                model,
            )
        )
    return out
