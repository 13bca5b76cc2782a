"""The ensemble maths: bounds, symmetry, threshold, attribution, weight scaling."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tradebot.domain import Direction
from tradebot.signals import combine
from tradebot.strategies.base import Opinion

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_subnormal=False)
directions = st.sampled_from([Direction.LONG, Direction.SHORT, Direction.NEUTRAL])
opinions = st.builds(Opinion, directions, unit, unit)
votes = st.lists(
    st.tuples(st.sampled_from("abcdefgh"), opinions),
    min_size=1,
    max_size=8,
    unique_by=lambda v: v[0],
)
weight_maps = st.dictionaries(
    st.sampled_from("abcdefgh"), st.floats(min_value=0.0, max_value=10.0, allow_nan=False)
)
thresholds = st.floats(min_value=0.0, max_value=0.95)
SIGN = {Direction.LONG: 1.0, Direction.SHORT: -1.0, Direction.NEUTRAL: 0.0}
FLIP = {
    Direction.LONG: Direction.SHORT,
    Direction.SHORT: Direction.LONG,
    Direction.NEUTRAL: Direction.NEUTRAL,
}


def _expected_score(vs: list[tuple[str, Opinion]], weights: dict[str, float]) -> float | None:
    """The seed's formula in exact rational arithmetic (so tiny weights cannot round the
    oracle itself away)."""
    live = [(op, Fraction(weights.get(n, 1.0))) for n, op in vs if weights.get(n, 1.0) > 0]
    total = sum(w for _, w in live)
    if not live or total <= 0:
        return None
    return float(sum(int(SIGN[op.direction]) * Fraction(op.strength) * w for op, w in live) / total)


@given(vs=votes, weights=weight_maps, threshold=thresholds)
def test_emits_exactly_when_the_weighted_score_clears_the_threshold(
    vs: list[tuple[str, Opinion]], weights: dict[str, float], threshold: float
) -> None:
    expected = _expected_score(vs, weights)
    assume(expected is None or abs(abs(expected) - threshold) > 1e-9)
    result = combine(vs, weights, threshold=threshold)
    if expected is None or abs(expected) <= threshold:
        assert result is None
        return
    assert result is not None
    assert result.score == pytest.approx(expected, abs=1e-12)
    assert result.direction is (Direction.LONG if expected > 0 else Direction.SHORT)
    assert 0.0 <= result.strength <= 1.0
    assert 0.0 <= result.confidence <= 1.0
    assert result.strength == pytest.approx(abs(expected), abs=1e-12)


@given(vs=votes, weights=weight_maps, threshold=thresholds)
def test_attribution_sums_to_the_score_and_names_every_voice(
    vs: list[tuple[str, Opinion]], weights: dict[str, float], threshold: float
) -> None:
    result = combine(vs, weights, threshold=threshold)
    assume(result is not None)
    assert result is not None
    assert math.fsum(result.contributions.values()) == pytest.approx(result.score, abs=1e-12)
    assert set(result.contributions) == {n for n, _ in vs if weights.get(n, 1.0) > 0}
    assert result.strengths == {n: op.strength for n, op in vs if weights.get(n, 1.0) > 0}


@given(vs=votes, weights=weight_maps, threshold=thresholds)
def test_mirrored_opinions_give_the_mirrored_signal(
    vs: list[tuple[str, Opinion]], weights: dict[str, float], threshold: float
) -> None:
    mirrored = [(n, Opinion(FLIP[op.direction], op.strength, op.confidence)) for n, op in vs]
    a, b = (
        combine(vs, weights, threshold=threshold),
        combine(mirrored, weights, threshold=threshold),
    )
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert b.direction is FLIP[a.direction]
        assert b.strength == pytest.approx(a.strength, abs=1e-12)
        assert b.score == pytest.approx(-a.score, abs=1e-12)


@given(vs=votes, weights=weight_maps, scale=st.floats(min_value=0.01, max_value=100.0))
def test_only_relative_weights_matter(
    vs: list[tuple[str, Opinion]], weights: dict[str, float], scale: float
) -> None:
    full = {n: weights.get(n, 1.0) for n, _ in vs}
    scaled = {n: w * scale for n, w in full.items()}
    assume(all((w > 0) == (scaled[n] > 0) for n, w in full.items()))  # no underflow to zero
    a, b = combine(vs, full, threshold=0.0), combine(vs, scaled, threshold=0.0)
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert b.score == pytest.approx(a.score, rel=1e-9, abs=1e-12)


def test_the_seed_example_and_a_silenced_strategy() -> None:
    long_ = Opinion(Direction.LONG, 0.8, 0.9)
    short = Opinion(Direction.SHORT, 0.4, 0.5)
    result = combine([("momentum", long_), ("macd", short)], {"momentum": 2.0, "macd": 1.0})
    assert result is not None
    assert result.score == pytest.approx((0.8 * 2 - 0.4) / 3)
    assert result.confidence == pytest.approx((0.9 * 2 + 0.5) / 3)
    silenced = combine([("momentum", long_), ("macd", short)], {"momentum": 0.0})
    assert silenced is not None
    assert silenced.direction is Direction.SHORT
    assert set(silenced.contributions) == {"macd"}
    assert combine([("x", Opinion(Direction.LONG, 0.3, 1.0))], {}) is None  # at the threshold


@given(
    vote=st.tuples(st.sampled_from("abcdefgh"), opinions),
    weights=weight_maps,
    threshold=thresholds,
)
def test_a_single_vote_takes_the_shortcut_to_the_same_result(
    vote: tuple[str, Opinion], weights: dict[str, float], threshold: float
) -> None:
    from tradebot.signals.ensemble import _weighted

    assert combine([vote], weights, threshold=threshold) == _weighted(
        [vote], weights, threshold, 1.0
    )
