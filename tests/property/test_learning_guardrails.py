"""The weight update's guardrails: all together for every policy, then each one alone.

A guardrail is "off" at ``min_trades=0``, ``max_shift=1``, ``floor=0``, ``half_life=inf``;
each test below switches exactly one on and checks the update against an oracle written
independently (bisection, not the package's exact water-filling).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.learning import (
    CLIP_REASONS,
    EmaPolicy,
    Guardrails,
    OutcomeBook,
    TradeOutcome,
    credit,
    make_policy,
    responsibility,
)

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NAMES = ("a", "b", "c", "d", "e")
T0 = datetime(2019, 1, 2, 21, tzinfo=UTC)
OFF: dict[str, Any] = {"min_trades": 0, "max_shift": 1.0, "floor": 0.0, "half_life": math.inf}

contribution = st.floats(-1.0, 1.0, allow_subnormal=False)
rows = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(NAMES), contribution, max_size=5),
        st.floats(-6.0, 6.0, allow_subnormal=False),
        st.sampled_from((1, -1)),
        st.integers(0, 2),
    ),
    max_size=60,
)
policies = st.sampled_from(("ema", "exp3", "thompson"))


def outcomes_of(
    spec: Sequence[tuple[dict[str, float], float, int, int]],
    *,
    start: datetime = T0,
    prefix: str = "t",
) -> list[TradeOutcome]:
    out, ts = [], start
    for i, (contributions, r, direction, gap) in enumerate(spec):
        ts += timedelta(days=gap)  # a gap of 0: trades closing at the same instant
        out.append(
            TradeOutcome(
                trade_id=f"{prefix}{i:03d}",
                symbol="X",
                entry_decision_id=f"d{i}",
                signal_id=None,
                closed_at=ts,
                pnl=Decimal(0),
                return_pct=0.0,
                hold_seconds=0.0,
                risk_adjusted=r,
                contributions=contributions,
                direction=direction,
            )
        )
    return out


def book_of(outcomes: Sequence[TradeOutcome]) -> OutcomeBook:
    book = OutcomeBook()
    for outcome in outcomes:
        book.add(outcome)
    return book


@st.composite
def valid_weights(draw: st.DrawFn, floor: float) -> dict[str, float]:
    """Weights that already obey the floor and sum to 1 (as the learning engine leaves them)."""
    n = draw(st.integers(1, len(NAMES)))
    raw = [draw(st.floats(0.0, 1.0)) for _ in range(n)]
    total = math.fsum(raw)
    shares = [r / total for r in raw] if total > 0 else [1.0 / n] * n
    f = min(floor, 1.0 / n)
    return {name: f + (1.0 - n * f) * s for name, s in zip(NAMES, shares, strict=False)}


def plain_mean(outcomes: Sequence[TradeOutcome], name: str) -> float:
    """Σ credit / Σ share, no decay: the oracle for the decayed mean at half_life = inf."""
    c = math.fsum(credit(o).get(name, 0.0) for o in outcomes)
    s = math.fsum(responsibility(o).get(name, 0.0) for o in outcomes)
    return c / s if s > 0 else 0.0


def ema_targets(weights: dict[str, float], book: OutcomeBook, g: Guardrails) -> list[float]:
    lr = g.learning_rate
    return [
        (1 - lr) * w + lr * (1 + book.decayed_reward(n, g.half_life)) / 2
        for n, w in weights.items()
    ]


def oracle(targets: Sequence[float], lo: Sequence[float], hi: Sequence[float]) -> list[float]:
    """``clamp(λ·t, lo, hi)`` summing to 1, λ found by bisection."""

    def at(lam: float) -> list[float]:
        return [min(max(lam * t, low), high) for t, low, high in zip(targets, lo, hi, strict=True)]

    low_l, high_l = 0.0, 1.0
    while math.fsum(at(high_l)) < 1.0 and high_l < 1e12:
        high_l *= 2.0
    for _ in range(200):
        mid = (low_l + high_l) / 2
        low_l, high_l = (mid, high_l) if math.fsum(at(mid)) < 1.0 else (low_l, mid)
    return at(high_l)


guardrails = st.builds(
    Guardrails,
    learning_rate=st.floats(0.01, 1.0),
    min_trades=st.integers(0, 40),
    max_shift=st.floats(0.01, 1.0),
    floor=st.floats(0.0, 0.3),
    half_life=st.one_of(st.floats(1.0, 200.0), st.just(math.inf)),
)


@SETTINGS
@given(data=st.data(), spec=rows, g=guardrails, name=policies, seed=st.integers(0, 9))
def test_every_policys_proposal_obeys_every_guardrail(
    data: st.DataObject, spec: Any, g: Guardrails, name: str, seed: int
) -> None:
    weights = data.draw(valid_weights(g.floor))
    book = book_of(outcomes_of(spec))
    policy = make_policy(name, seed=seed)
    changes = policy.propose(weights, book, g)
    assert [c.strategy for c in changes] == list(weights)
    assert math.fsum(c.new for c in changes) == pytest.approx(1.0, abs=1e-9)
    floor = g.floor_for(len(weights))
    for c in changes:
        assert c.old == pytest.approx(weights[c.strategy], abs=1e-12)
        assert c.new >= floor - 1e-12
        assert abs(c.new - c.old) <= g.max_shift + 1e-12
        assert c.clipped_by in (*CLIP_REASONS, None)
        assert (c.outcomes, c.policy) == (book.count(c.strategy), name)
        assert -1.0 <= c.reward <= 1.0
        if c.outcomes < g.min_trades:
            assert (c.new, c.clipped_by) == (c.old, "min_trades")
    assert policy.propose(weights, book, g) == changes  # pure


@SETTINGS
@given(data=st.data(), spec=rows, lr=st.floats(0.01, 1.0))
def test_normalisation_alone_is_the_seed_formula_divided_by_its_sum(
    data: st.DataObject, spec: Any, lr: float
) -> None:
    weights = data.draw(valid_weights(0.0))
    outcomes = outcomes_of(spec)
    book = book_of(outcomes)
    changes = EmaPolicy().propose(weights, book, Guardrails(learning_rate=lr, **OFF))
    targets = [(1 - lr) * w + lr * (1 + plain_mean(outcomes, n)) / 2 for n, w in weights.items()]
    total = math.fsum(targets)
    assert [c.new for c in changes] == pytest.approx([t / total for t in targets], abs=1e-9)
    assert math.fsum(c.new for c in changes) == pytest.approx(1.0, abs=1e-12)


@SETTINGS
@given(data=st.data(), spec=rows, m=st.integers(0, 30))
def test_min_trades_alone_freezes_the_strategies_short_of_it(
    data: st.DataObject, spec: Any, m: int
) -> None:
    weights = data.draw(valid_weights(0.0))
    book = book_of(outcomes_of(spec))
    g = Guardrails(**{**OFF, "min_trades": m})
    changes = EmaPolicy().propose(weights, book, g)
    targets = dict(zip(weights, ema_targets(weights, book, g), strict=True))
    movers = [n for n in weights if book.count(n) >= m]
    budget = 1.0 - math.fsum(weights[n] for n in weights if n not in movers)
    scale = budget / math.fsum(targets[n] for n in movers) if movers else 0.0
    for c in changes:
        if c.strategy in movers:
            assert c.new == pytest.approx(targets[c.strategy] * scale, abs=1e-9)
        else:
            assert (c.new, c.clipped_by) == (c.old, "min_trades")


@SETTINGS
@given(data=st.data(), spec=rows, shift=st.floats(0.001, 0.5), lr=st.floats(0.05, 1.0))
def test_max_shift_alone_clips_each_move_and_renormalises_inside_the_band(
    data: st.DataObject, spec: Any, shift: float, lr: float
) -> None:
    weights = data.draw(valid_weights(0.0))
    book = book_of(outcomes_of(spec))
    g = Guardrails(**{**OFF, "max_shift": shift, "learning_rate": lr})
    changes = EmaPolicy().propose(weights, book, g)
    old = list(weights.values())
    expected = oracle(
        ema_targets(weights, book, g),
        [max(0.0, w - shift) for w in old],
        [min(1.0, w + shift) for w in old],
    )
    assert [c.new for c in changes] == pytest.approx(expected, abs=1e-9)
    assert all(abs(c.new - c.old) <= shift + 1e-12 for c in changes)
    free = oracle(ema_targets(weights, book, g), [0.0] * len(old), [1.0] * len(old))
    if any(abs(f - w) > shift + 1e-9 for f, w in zip(free, old, strict=True)):
        assert "max_shift" in {c.clipped_by for c in changes}


@SETTINGS
@given(data=st.data(), spec=rows, floor=st.floats(0.0, 0.3), name=policies)
def test_floor_alone_holds_every_weight_up_and_the_rest_share_pro_rata(
    data: st.DataObject, spec: Any, floor: float, name: str
) -> None:
    weights = data.draw(valid_weights(floor))
    book = book_of(outcomes_of(spec))
    g = Guardrails(**{**OFF, "floor": floor, "learning_rate": 1.0})
    changes = make_policy(name).propose(weights, book, g)
    f = g.floor_for(len(weights))
    assert all(c.new >= f - 1e-12 for c in changes)
    if name == "ema":
        n = len(weights)
        expected = oracle(ema_targets(weights, book, g), [f] * n, [1.0] * n)
        assert [c.new for c in changes] == pytest.approx(expected, abs=1e-9)
    for c in changes:
        if c.clipped_by == "floor":
            assert c.new == pytest.approx(f, abs=1e-12)


def _closing_order(o: TradeOutcome) -> tuple[object, ...]:
    """The book's order: closing time, then what the trade is (symbol, credits), then its id
    (which carries the run's id, so it only breaks ties between identical trades)."""
    shares, credits = responsibility(o), credit(o)
    entry = {name: (credits[name], shares[name]) for name in shares}
    return (o.closed_at, o.symbol, repr(sorted(entry.items())), o.trade_id)


@SETTINGS
@given(spec=rows, half_life=st.floats(0.5, 100.0))
def test_recency_decay_alone_weighs_each_outcome_by_half_to_the_age_over_half_life(
    spec: Any, half_life: float
) -> None:
    outcomes = outcomes_of(spec)
    book = book_of(outcomes)
    ordered = sorted(outcomes, key=_closing_order)
    for name in NAMES:
        num = den = 0.0
        for age, o in enumerate(reversed(ordered)):
            d = 0.5 ** (age / half_life)
            num += d * credit(o).get(name, 0.0)
            den += d * responsibility(o).get(name, 0.0)
        expected = num / den if den > 0 else 0.0
        assert book.decayed_reward(name, half_life) == pytest.approx(expected, abs=1e-9)
        assert book.decayed_reward(name, math.inf) == pytest.approx(
            plain_mean(outcomes, name), abs=1e-9
        )


@given(r=st.floats(0.1, 5.0), gap=st.integers(0, 30), half_life=st.floats(1.0, 100.0))
def test_a_newer_outcome_outweighs_an_older_opposite_one(
    r: float, gap: int, half_life: float
) -> None:
    spec = [({"a": 0.5}, r, 1, 1)] + [({"b": 0.5}, 1.0, 1, 1)] * gap + [({"a": 0.5}, -r, 1, 1)]
    book = book_of(outcomes_of(spec))
    assert book.decayed_reward("a", half_life) < 0.0
    assert book.decayed_reward("a", math.inf) == pytest.approx(0.0, abs=1e-12)
    # the older outcome counts exactly half as much once half_life more trades have closed
    stats = book.stats("a", float(gap + 1))
    assert stats.weight == pytest.approx(1.0 + 0.5, rel=1e-12)
