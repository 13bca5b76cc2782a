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
from dataclasses import dataclass
from enum import StrEnum

from tradebot.domain.errors import TradebotError

__all__ = ["LABELS", "Label", "SentimentResult", "SentimentUnavailableError"]


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
