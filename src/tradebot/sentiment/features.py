"""Lexicon evidence as numeric features, to sit beside a sentence embedding.

A general-purpose sentence embedding does not know that "cut to Hold" is bad news; the
lexicon does. The embedding analyzer's head therefore sees the embedding *and* these four
numbers per text: positive and negative valence mass (÷4), the lexicon score, and whether
any term matched. On the train split's development slice they add ~2.5 points of accuracy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from tradebot.sentiment.lexicon import Lexicon
from tradebot.sentiment.lexicon_analyzer import collect_evidence
from tradebot.sentiment.softmax_head import FloatArray

__all__ = ["LEXICON_FEATURES", "lexicon_features"]

LEXICON_FEATURES = 4
_ALPHA = 15.0


def lexicon_features(texts: Sequence[str], lexicon: Lexicon) -> FloatArray:
    """An ``(n, 4)`` array: positive mass, negative mass, score, any-term flag."""
    rows = np.zeros((len(texts), LEXICON_FEATURES))
    for i, text in enumerate(texts):
        evidence = collect_evidence(text, lexicon)
        total = evidence.total
        rows[i] = (
            evidence.positive / 4.0,
            evidence.negative / 4.0,
            total / math.sqrt(total * total + _ALPHA),
            1.0 if evidence.terms else 0.0,
        )
    return rows
