"""The weighted ensemble: many strategies' opinions on one bar become at most one signal.

The rule is the seed's (01, Task 9): over the strategies that have an opinion,
``score = Σ dᵢ·sᵢ·wᵢ / Σ wᵢ`` with direction ``dᵢ`` (+1 long, −1 short, 0 neutral),
strength ``sᵢ`` and weight ``wᵢ``; a signal is emitted only when ``|score| > threshold``
(0.3 by default), in the direction of the sign, with strength ``|score|``. Confidence is the
weight-averaged confidence. Each contributing strategy is kept with its own strength and its
signed share of the score, and the shares sum to the score exactly (attribution), so the
learning engine can credit or blame each one.

Pure: weights come in as a mapping (the store holds them; the learning engine moves them).
A strategy without a weight gets ``default_weight``; a weight of zero silences a strategy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tradebot.domain.enums import Direction
from tradebot.domain.fast_init import quick_init
from tradebot.strategies.base import Opinion

__all__ = ["DEFAULT_THRESHOLD", "EnsembleResult", "combine"]

DEFAULT_THRESHOLD = 0.3
_SIGN = {Direction.LONG: 1.0, Direction.SHORT: -1.0, Direction.NEUTRAL: 0.0}


@quick_init
@dataclass(frozen=True, slots=True)
class EnsembleResult:
    """The combined view. ``score`` is signed; ``contributions[name]`` sum to ``score``."""

    direction: Direction
    score: float
    strength: float
    confidence: float
    strengths: dict[str, float]
    contributions: dict[str, float]
    reasons: dict[str, str]


def combine(
    votes: Sequence[tuple[str, Opinion]],
    weights: Mapping[str, float],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    default_weight: float = 1.0,
) -> EnsembleResult | None:
    """Combine ``(strategy name, opinion)`` votes; ``None`` when nothing clears the threshold."""
    if len(votes) == 1:
        return _single(votes[0], weights, threshold, default_weight)
    return _weighted(votes, weights, threshold, default_weight)


def _weighted(
    votes: Sequence[tuple[str, Opinion]],
    weights: Mapping[str, float],
    threshold: float,
    default_weight: float,
) -> EnsembleResult | None:
    weighted = [(name, op, weights.get(name, default_weight)) for name, op in votes]
    weighted = [(name, op, w) for name, op, w in weighted if w > 0.0]
    total = math.fsum(w for _, _, w in weighted)
    if not weighted or total <= 0.0:
        return None
    # each weight becomes its share first: strength × (w / total) keeps full precision
    # even for tiny (subnormal) weights, where (strength × w) / total would round away
    contributions = {
        name: _SIGN[op.direction] * _clip(op.strength) * (w / total) for name, op, w in weighted
    }
    score = math.fsum(contributions.values())
    if abs(score) <= threshold:
        return None
    confidence = math.fsum(_clip(op.confidence) * (w / total) for _, op, w in weighted)
    return EnsembleResult(
        direction=Direction.LONG if score > 0 else Direction.SHORT,
        score=score,
        strength=min(abs(score), 1.0),
        confidence=min(max(confidence, 0.0), 1.0),
        strengths={name: _clip(op.strength) for name, op, _ in weighted},
        contributions=contributions,
        reasons={name: op.reason for name, op, _ in weighted if op.reason},
    )


def _single(
    vote: tuple[str, Opinion], weights: Mapping[str, float], threshold: float, default: float
) -> EnsembleResult | None:
    """:func:`combine` of one vote, the same arithmetic without the sums (``fsum`` of one
    value is that value; the vote's share of the weight is ``w / w``): the common case of a
    single strategy, on the hot path."""
    name, op = vote
    w = weights.get(name, default)
    if not w > 0.0:
        return None
    # _clip and min/max written out as comparisons: the same values (NaN and -0.0 too),
    # without five calls per signal
    strength = op.strength
    strength = 0.0 if strength < 0.0 else 1.0 if strength > 1.0 else strength
    share = w / w
    score = _SIGN[op.direction] * strength * share
    size = abs(score)
    if size <= threshold:
        return None
    confidence = op.confidence
    confidence = (0.0 if confidence < 0.0 else 1.0 if confidence > 1.0 else confidence) * share
    return EnsembleResult(
        Direction.LONG if score > 0 else Direction.SHORT,
        score,
        1.0 if size > 1.0 else size,
        0.0 if confidence < 0.0 else 1.0 if confidence > 1.0 else confidence,
        {name: strength},
        {name: score},
        {name: op.reason} if op.reason else {},
    )


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)
