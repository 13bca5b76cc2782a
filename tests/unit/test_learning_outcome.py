"""Outcome evaluation, credit by example, the guardrails' validation and the policy registry."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.domain import ClosedTrade, Direction
from tradebot.learning import (
    POLICIES,
    EmaPolicy,
    Exp3Policy,
    Guardrails,
    OutcomeBook,
    ThompsonPolicy,
    TradeOutcome,
    WeightChange,
    apply_changes,
    credit,
    evaluate_outcome,
    make_policy,
    reward,
)

T0 = datetime(2020, 1, 2, 21, tzinfo=UTC)


def _trade(
    *, entry: str = "100", exit_: str = "104", direction: Direction = Direction.LONG
) -> ClosedTrade:
    qty = Decimal(10)
    sign = 1 if direction is Direction.LONG else -1
    pnl = (Decimal(exit_) - Decimal(entry)) * qty * sign - Decimal(1)
    return ClosedTrade(
        id="trade-1",
        symbol="AAPL",
        quantity=qty,
        entry_ts=T0,
        exit_ts=T0 + timedelta(days=3),
        entry_price=Decimal(entry),
        exit_price=Decimal(exit_),
        pnl=pnl,
        commission=Decimal(1),
        return_pct=float(pnl / (Decimal(entry) * qty)),
        hold_seconds=3 * 86400.0,
        entry_decision_id="dec-1",
        exit_decision_id="dec-2",
        direction=direction,
    )


def _outcome(r: float, contributions: dict[str, float], direction: int = 1) -> TradeOutcome:
    return TradeOutcome(
        trade_id="t",
        symbol="X",
        entry_decision_id="d",
        signal_id="s",
        closed_at=T0,
        pnl=Decimal(0),
        return_pct=0.0,
        hold_seconds=0.0,
        risk_adjusted=r,
        contributions=contributions,
        direction=direction,
    )


def test_a_long_win_is_its_return_over_the_atr_share_of_the_entry_price() -> None:
    trade = _trade()
    outcome = evaluate_outcome(trade, {"macd": 0.4}, signal_id="sig-1", atr_at_entry=2.0)
    assert outcome.return_pct == pytest.approx(0.039)  # (4 × 10 − 1) / 1000
    assert outcome.risk_adjusted == pytest.approx(0.039 / 0.02)  # ATR 2 on 100: 2 % risk
    assert (outcome.trade_id, outcome.entry_decision_id, outcome.signal_id) == (
        "trade-1",
        "dec-1",
        "sig-1",
    )
    assert outcome.closed_at == trade.exit_ts
    assert outcome.hold_seconds == 3 * 86400.0
    assert outcome.pnl == Decimal(39)
    assert outcome.direction == 1


def test_a_short_that_fell_is_a_win_and_is_direction_minus_one() -> None:
    outcome = evaluate_outcome(
        _trade(exit_="96", direction=Direction.SHORT),
        {"momentum": -0.5},
        signal_id=None,
        atr_at_entry=4.0,
    )
    assert outcome.direction == -1
    assert outcome.risk_adjusted == pytest.approx(0.039 / 0.04)
    assert credit(outcome)["momentum"] > 0  # voted short, the short won


@pytest.mark.parametrize("atr", [None, 0.0, -1.0, math.nan, math.inf])
def test_without_a_usable_atr_the_risk_is_the_fallback_fraction(atr: float | None) -> None:
    outcome = evaluate_outcome(_trade(), {}, signal_id=None, atr_at_entry=atr, risk_fallback=0.05)
    assert outcome.risk_adjusted == pytest.approx(0.039 / 0.05)


def test_a_bad_fallback_is_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="risk_fallback") as info:
        evaluate_outcome(_trade(), {}, signal_id=None, atr_at_entry=None, risk_fallback=0.0)
    assert "\n" not in str(info.value)


def test_an_outcome_round_trips_through_json() -> None:
    outcome = evaluate_outcome(_trade(), {"a": 0.3, "b": -0.1}, signal_id="s", atr_at_entry=1.5)
    again = TradeOutcome.from_dict(json.loads(json.dumps(outcome.to_dict())))
    assert again == outcome


def test_credit_by_example_against_a_loser_is_right() -> None:
    # a long opened by a (+0.6) and b (+0.2) against c (−0.2); it lost one R
    got = credit(_outcome(-1.0, {"a": 0.6, "b": 0.2, "c": -0.2, "d": 0.0}))
    loss = math.tanh(1.0)
    assert got == pytest.approx({"a": -0.6 * loss, "b": -0.2 * loss, "c": 0.2 * loss})
    assert "d" not in got  # said nothing: nothing learned
    assert reward(_outcome(-1.0, {})) == pytest.approx(-loss)


def test_a_breakeven_trade_credits_nobody() -> None:
    assert all(v == 0.0 for v in credit(_outcome(0.0, {"a": 0.5, "b": -0.1})).values())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("learning_rate", 0.0),
        ("learning_rate", 1.5),
        ("min_trades", -1),
        ("min_trades", 2.5),
        ("min_trades", True),
        ("max_shift", 0.0),
        ("max_shift", math.nan),
        ("floor", -0.1),
        ("floor", 1.0),
        ("half_life", 0.0),
        ("half_life", math.nan),
    ],
)
def test_each_guardrail_refuses_a_bad_value_in_one_line(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=field) as info:
        Guardrails(**{field: value})  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


def test_the_defaults_are_the_seeds() -> None:
    g = Guardrails()
    assert (g.learning_rate, g.min_trades, g.max_shift, g.floor, g.half_life) == (
        0.1,
        20,
        0.10,
        0.05,
        50.0,
    )
    assert Guardrails(half_life=math.inf).half_life == math.inf


def test_the_registry_names_each_policy() -> None:
    assert set(POLICIES) >= {"ema", "exp3", "thompson"}
    for name, factory in POLICIES.items():
        assert factory().name == name
    assert isinstance(make_policy("ema"), EmaPolicy)
    assert isinstance(make_policy("exp3"), Exp3Policy)
    thompson = make_policy("thompson", seed=7)
    assert isinstance(thompson, ThompsonPolicy) and thompson.seed == 7
    with pytest.raises(ValueError, match="unknown learning policy 'ucb'"):
        make_policy("ucb")


def test_no_weights_no_changes_and_an_empty_book_moves_nothing() -> None:
    book = OutcomeBook()
    for factory in POLICIES.values():
        policy = factory()
        assert policy.propose({}, book, Guardrails()) == []
        changes = policy.propose({"a": 0.5, "b": 0.5}, book, Guardrails())
        assert [(c.old, c.new, c.clipped_by) for c in changes] == [(0.5, 0.5, "min_trades")] * 2


def test_old_weights_are_the_shares_the_ensemble_used() -> None:
    changes = EmaPolicy().propose({"a": 1.0, "b": 3.0}, OutcomeBook(), Guardrails())
    assert [c.old for c in changes] == [0.25, 0.75]
    zero = EmaPolicy().propose({"a": 0.0, "b": 0.0}, OutcomeBook(), Guardrails())
    assert [c.old for c in zero] == [0.5, 0.5]
    with pytest.raises(ValueError, match="weights must be finite"):
        EmaPolicy().propose({"a": -1.0}, OutcomeBook(), Guardrails())


def test_apply_changes_sets_the_named_weights_only() -> None:
    change = WeightChange("a", 0.5, 0.6, 0.2, 25, None, "ema")
    assert apply_changes({"a": 0.5, "b": 0.5}, [change]) == {"a": 0.6, "b": 0.5}
    with pytest.raises(ValueError, match="weight of a"):
        apply_changes({"a": 0.5}, [WeightChange("a", 0.5, math.nan, 0.0, 0, None, "ema")])


def test_a_state_of_another_version_is_refused() -> None:
    with pytest.raises(ValueError, match="state version"):
        OutcomeBook.from_state({"version": 99, "outcomes": []})


def test_bandit_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="eta"):
        Exp3Policy(eta=0.0)
    with pytest.raises(ValueError, match="draws"):
        ThompsonPolicy(draws=0)
    with pytest.raises(ValueError, match="exploration"):
        ThompsonPolicy(exploration=2.0)
