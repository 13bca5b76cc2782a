"""The policies by example: each learns the skilled strategy, clip reasons name the guardrail,
and weights that broke the floor are repaired."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.learning import (
    POLICIES,
    EmaPolicy,
    Guardrails,
    OutcomeBook,
    ThompsonPolicy,
    TradeOutcome,
    apply_changes,
    constrain,
)

T0 = datetime(2016, 1, 4, 21, tzinfo=UTC)
SKILL = {"good": 0.6, "flat": 0.0, "bad": -0.6}


def _skilled_book(trades: int = 200, seed: int = 1) -> OutcomeBook:
    """Three strategies vote at random; the trade's R follows the skill of those who voted."""
    rng, book = random.Random(seed), OutcomeBook()
    for i in range(trades):
        votes = {n: rng.uniform(-0.4, 0.4) for n in SKILL}
        direction = 1 if sum(votes.values()) >= 0 else -1
        r = sum(v * direction * SKILL[n] for n, v in votes.items()) * 8 + rng.gauss(0, 0.3)
        book.add(
            TradeOutcome(
                trade_id=f"t{i}",
                symbol="X",
                entry_decision_id=f"d{i}",
                signal_id=None,
                closed_at=T0 + timedelta(days=i),
                pnl=Decimal(0),
                return_pct=0.0,
                hold_seconds=0.0,
                risk_adjusted=r,
                contributions=votes,
                direction=direction,
            )
        )
    return book


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_each_policy_moves_weight_from_the_bad_strategy_to_the_good_one(name: str) -> None:
    book, weights = _skilled_book(), dict.fromkeys(SKILL, 1 / 3)
    policy = POLICIES[name]()
    for _ in range(40):
        weights = apply_changes(weights, policy.propose(weights, book, Guardrails()))
    assert weights["good"] > weights["flat"] > weights["bad"] - 1e-12
    assert weights["bad"] >= 0.05 - 1e-12
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_the_decayed_rewards_rank_the_skills() -> None:
    book = _skilled_book()
    rewards = {n: book.decayed_reward(n, 50.0) for n in SKILL}
    assert rewards["good"] > 0.2 > abs(rewards["flat"]) and rewards["bad"] < -0.2


def test_one_ema_cycle_is_the_seed_formula_by_hand() -> None:
    book = _skilled_book()
    g = Guardrails(min_trades=0, max_shift=1.0, floor=0.0, half_life=math.inf)
    changes = EmaPolicy().propose({"good": 0.5, "bad": 0.5}, book, g)
    targets = [
        0.9 * 0.5 + 0.1 * (1 + book.decayed_reward(n, math.inf)) / 2 for n in ("good", "bad")
    ]
    assert [c.new for c in changes] == pytest.approx([t / sum(targets) for t in targets])
    assert {c.clipped_by for c in changes} == {"normalise"}


def test_a_large_move_is_clipped_by_max_shift_and_named() -> None:
    g = Guardrails(learning_rate=1.0, min_trades=0, max_shift=0.05, floor=0.0)
    changes = EmaPolicy().propose(dict.fromkeys(SKILL, 1 / 3), _skilled_book(), g)
    by_name = {c.strategy: c for c in changes}
    assert by_name["good"].new == pytest.approx(1 / 3 + 0.05)
    assert by_name["good"].clipped_by == "max_shift"
    assert by_name["bad"].clipped_by == "max_shift"


def test_a_strategy_short_of_min_trades_keeps_its_weight_while_others_move() -> None:
    book = _skilled_book(trades=30)
    g = Guardrails(min_trades=25, learning_rate=1.0)
    weights = {"good": 0.3, "bad": 0.3, "new": 0.4}  # "new" has no outcomes yet
    changes = {c.strategy: c for c in EmaPolicy().propose(weights, book, g)}
    assert (changes["new"].new, changes["new"].clipped_by) == (0.4, "min_trades")
    assert changes["good"].new > 0.3 > changes["bad"].new
    assert changes["good"].new + changes["bad"].new == pytest.approx(0.6, abs=1e-15)


def test_weights_below_the_floor_are_lifted_even_past_max_shift() -> None:
    g = Guardrails(max_shift=0.01, floor=0.1)
    new, why = constrain([0.0, 0.5, 0.5], [0.0, 0.5, 0.5], g)
    assert new[0] == pytest.approx(0.1) and why[0] == "floor"
    assert math.fsum(new) == pytest.approx(1.0)
    # frozen strategies give way only when the movers cannot hold the floor on their own
    new, why = constrain([0.02, 0.98], [0.0, None], g)
    assert new[0] == pytest.approx(0.1) and math.fsum(new) == pytest.approx(1.0)
    assert why == ["floor", "normalise"]


def test_more_strategies_than_the_floor_allows_share_equally() -> None:
    new, _ = constrain([0.25] * 4, [1.0, 0.0, 0.0, 0.0], Guardrails(floor=0.3, max_shift=1.0))
    assert new == pytest.approx([0.25] * 4)


def test_thompson_seeds_give_their_own_draws() -> None:
    # few trades: wide posteriors, so the draws (not the evidence) decide
    book = _skilled_book(trades=6)
    g = Guardrails(min_trades=0, max_shift=1.0, floor=0.0)
    weights = dict.fromkeys(SKILL, 1 / 3)
    a = ThompsonPolicy(seed=1, draws=16).propose(weights, book, g)
    assert a == ThompsonPolicy(seed=1, draws=16).propose(weights, book, g)
    others = [ThompsonPolicy(seed=s, draws=16).propose(weights, book, g) for s in range(2, 6)]
    assert any(o != a for o in others)
