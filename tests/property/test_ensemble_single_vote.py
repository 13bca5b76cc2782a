"""The ensemble's single-vote path clips with comparisons, exactly as ``min``/``max`` do.

A strategy's opinion is not validated (``Opinion`` takes any float), so ``_single`` — its
clipping written out as comparisons instead of ``_clip``, ``min`` and ``max`` calls — must
give the values the calls give for strengths and confidences outside 0..1, infinities, NaN
and -0.0 too: compared by ``repr`` with the same rule written with the calls.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain import Direction
from tradebot.signals.ensemble import EnsembleResult, _single
from tradebot.strategies.base import Opinion

any_float = st.one_of(st.floats(), st.sampled_from([-0.0, 0.0, 1.0, -1.0, 2.5]))
opinions = st.builds(
    Opinion, st.sampled_from(Direction), any_float, any_float, st.sampled_from(["", "why"])
)
SIGN = {Direction.LONG: 1.0, Direction.SHORT: -1.0, Direction.NEUTRAL: 0.0}


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _with_calls(
    vote: tuple[str, Opinion], weights: Mapping[str, float], threshold: float, default: float
) -> EnsembleResult | None:
    """The single-vote rule as it was written with ``min``/``max``."""
    name, op = vote
    w = weights.get(name, default)
    if not w > 0.0:
        return None
    strength = _clip(op.strength)
    share = w / w
    score = SIGN[op.direction] * strength * share
    if abs(score) <= threshold:
        return None
    confidence = _clip(op.confidence) * share
    return EnsembleResult(
        direction=Direction.LONG if score > 0 else Direction.SHORT,
        score=score,
        strength=min(abs(score), 1.0),
        confidence=min(max(confidence, 0.0), 1.0),
        strengths={name: strength},
        contributions={name: score},
        reasons={name: op.reason} if op.reason else {},
    )


@given(
    opinion=opinions,
    weight=st.one_of(st.floats(min_value=0.0), st.just(-1.0)),
    threshold=st.floats(min_value=0.0, max_value=0.95),
    weighted=st.booleans(),
)
def test_one_vote_is_clipped_as_min_and_max_clip(
    opinion: Opinion, weight: float, threshold: float, weighted: bool
) -> None:
    weights = {"a": weight} if weighted else {}
    vote = ("a", opinion)
    assert repr(_single(vote, weights, threshold, 1.0)) == repr(
        _with_calls(vote, weights, threshold, 1.0)
    )
