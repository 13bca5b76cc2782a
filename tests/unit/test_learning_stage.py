"""The learning stage on fakes: credit flows from a closed trade to the weights, redelivery
changes nothing, shadow mode changes nothing used, and weights used at time t depend only
on trades closed before t (a kernel backtest cut at t agrees with the whole run up to t)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain import Bar, DecisionAction, Direction, OrderSide
from tradebot.domain.messages import ClosedTrade, Signal, TradingDecision
from tradebot.engine.bus import MemoryBus
from tradebot.engine.learning_stage import LearningSetup, LearningStage
from tradebot.engine.signal_stage import SignalStage
from tradebot.engine.topics import DECISIONS, SIGNALS, TRADES_CLOSED
from tradebot.learning import Guardrails, make_policy
from tradebot.strategies import MomentumFactory, MomentumParams, make_factory
from tradebot.testing import MemoryStore, bars_from_closes

T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)
EAGER = Guardrails(min_trades=0, max_shift=0.5, floor=0.05, learning_rate=0.5)
"""Guardrails that let one trade move the weights (the tests look at the flow, not at
the guardrails, which tradebot.learning's own tests hold one by one)."""


def _policy(name: str = "ema") -> Any:
    return make_policy(name, 0)


def _stage(
    store: MemoryStore, *, shadow: bool = False, every: int = 1, atr: float | None = 2.0
) -> tuple[LearningStage, SignalStage, MemoryBus]:
    bus = MemoryBus()
    signals = SignalStage(
        run_id="r",
        factories=[MomentumFactory(MomentumParams(fast=3, slow=8))],
        store=store,
        bus=bus,
        weights={"a": 0.5, "b": 0.5},
    )
    setup = LearningSetup(policy=_policy(), guardrails=EAGER, shadow=shadow, every=every)
    stage = LearningStage(
        run_id="r",
        setup=setup,
        signals=signals,
        strategies=["a", "b"],
        log=store,
        atr_of=lambda symbol: atr,
    )
    stage.attach(bus)
    return stage, signals, bus


def _signal(i: int, contributions: dict[str, float]) -> Signal:
    return Signal(
        id=f"s{i}",
        ts=T0 + timedelta(days=i),
        symbol="AAA",
        direction=Direction.LONG,
        strength=0.5,
        confidence=0.5,
        price=100.0,
        contributions=contributions,
    )


def _decision(i: int) -> TradingDecision:
    return TradingDecision(
        id=f"d{i}",
        signal_id=f"s{i}",
        ts=T0 + timedelta(days=i),
        symbol="AAA",
        action=DecisionAction.ACT,
        side=OrderSide.BUY,
        quantity=Decimal(10),
        reference_price=Decimal(100),
        reason="test",
    )


def _trade(i: int, exit_price: str) -> ClosedTrade:
    entry, exit_ = Decimal(100), Decimal(exit_price)
    return ClosedTrade(
        id=f"t{i}",
        symbol="AAA",
        quantity=Decimal(10),
        entry_ts=T0 + timedelta(days=i, hours=1),
        exit_ts=T0 + timedelta(days=i + 2, hours=1),
        entry_price=entry,
        exit_price=exit_,
        pnl=(exit_ - entry) * 10,
        commission=Decimal(0),
        return_pct=float((exit_ - entry) / entry),
        hold_seconds=2 * 86_400.0,
        entry_decision_id=f"d{i}",
        exit_decision_id=f"x{i}",
    )


def _open_and_close(bus: MemoryBus, i: int, contributions: dict[str, float], exit_: str) -> None:
    # as on the in-process bus: the decision on a signal comes before the stage sees it
    bus.publish(DECISIONS, _decision(i))
    bus.publish(SIGNALS, _signal(i, contributions))
    bus.publish(TRADES_CLOSED, _trade(i, exit_))


def test_a_winning_trade_credits_the_strategy_that_voted_for_it() -> None:
    store = MemoryStore()
    stage, signals, bus = _stage(store)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "110")
    (outcome,) = store.trade_outcomes("r")
    assert outcome.signal_id == "s1" and outcome.entry_decision_id == "d1"
    assert dict(outcome.contributions) == {"a": 0.6, "b": -0.1}
    assert math.isclose(outcome.risk_adjusted, 0.1 / (2.0 / 100.0))  # R on the ATR at entry
    assert stage.weights["a"] > 0.5 > stage.weights["b"]
    assert signals.weights == stage.weights  # applied: the next bar uses them
    assert math.isclose(sum(signals.weights.values()), 1.0)
    recorded = store.weight_adjustments(run_id="r")
    assert {a.strategy for a in recorded} == {"a", "b"}
    assert all(a.ts == _trade(1, "110").exit_ts and not a.shadow for a in recorded)


def test_a_losing_trade_credits_the_strategy_that_voted_against_it() -> None:
    store = MemoryStore()
    stage, _, bus = _stage(store)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "90")
    assert stage.weights["b"] > 0.5 > stage.weights["a"]


def test_the_same_trade_delivered_twice_changes_nothing() -> None:
    store = MemoryStore()
    stage, signals, bus = _stage(store)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "110")
    weights, rows = dict(signals.weights), len(store.adjustments)
    bus.publish(TRADES_CLOSED, _trade(1, "110"))
    bus.publish(SIGNALS, _signal(1, {"a": 0.6, "b": -0.1}))
    bus.publish(DECISIONS, _decision(1))
    bus.publish(TRADES_CLOSED, _trade(1, "110"))
    assert signals.weights == weights and len(store.adjustments) == rows
    assert len(store.trade_outcomes("r")) == 1 and stage.evaluated == 1


def test_shadow_mode_records_weights_it_never_uses() -> None:
    store = MemoryStore()
    stage, signals, bus = _stage(store, shadow=True)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "110")
    assert signals.weights == {"a": 0.5, "b": 0.5}
    assert stage.weights["a"] > 0.5
    assert store.adjustments and all(a.shadow for a in store.adjustments)
    assert store.weights == {}  # nothing written to the strategies table either


def test_every_n_trades_runs_a_cycle_only_after_n_closes() -> None:
    store = MemoryStore()
    stage, signals, bus = _stage(store, every=2)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "110")
    assert signals.weights == {"a": 0.5, "b": 0.5} and not store.adjustments
    _open_and_close(bus, 2, {"a": 0.6, "b": -0.1}, "110")
    assert stage.weights["a"] > 0.5 and signals.weights == stage.weights


def test_a_trade_whose_signal_was_never_seen_is_recorded_without_credit() -> None:
    store = MemoryStore()
    stage, signals, bus = _stage(store, atr=None)
    bus.publish(TRADES_CLOSED, _trade(7, "110"))
    (outcome,) = store.trade_outcomes("r")
    assert outcome.signal_id is None and dict(outcome.contributions) == {}
    assert signals.weights == {"a": 0.5, "b": 0.5}
    assert stage.evaluated == 1


def test_a_resumed_stage_continues_from_the_recorded_outcomes_and_weights() -> None:
    store = MemoryStore()
    first, _, bus = _stage(store)
    _open_and_close(bus, 1, {"a": 0.6, "b": -0.1}, "110")
    again, signals, bus2 = _stage(store)
    again.restore()
    assert again.weights == first.weights and signals.weights == first.weights
    bus2.publish(TRADES_CLOSED, _trade(1, "110"))  # the replayed past: known, ignored
    assert again.evaluated == 1 and len(store.trade_outcomes("r")) == 1


# --- no look-ahead: a kernel backtest, two strategies, random bars --------------------------


def _learning_run(bars: Sequence[Bar]) -> tuple[list[tuple[datetime, dict[str, float]]], Any]:
    """Run the kernel with learning on; the weights each emitted signal was made with."""
    factories = [
        MomentumFactory(MomentumParams(fast=3, slow=8)),
        make_factory("mean_reversion", {}),
    ]
    store = MemoryStore()
    kernel = make_kernel(bars, store=store, strategies=factories, threshold=0.05)
    setup = LearningSetup(policy=_policy(), guardrails=EAGER)
    stage = LearningStage(
        run_id=kernel.run_info.id,
        setup=setup,
        signals=kernel.signals,
        strategies=[f.name for f in factories],
        log=store,
    )
    stage.attach(kernel.spec.bus)
    used: list[tuple[datetime, dict[str, float]]] = []
    emit = kernel.signals.emit

    def recording(symbol: str, ts: datetime, price: float, votes: Any) -> None:
        used.append((ts, dict(kernel.signals.weights)))
        emit(symbol, ts, price, votes)

    kernel.signals.emit = recording  # type: ignore[method-assign]
    kernel.run()
    return used, stage


def _bars(steps: Sequence[float], n: int) -> list[Bar]:
    closes = [100.0]
    for step in steps[: n - 1]:
        closes.append(round(max(closes[-1] * (1 + step), 1.0), 2))
    return bars_from_closes("AAA", closes, START, gap=0.1) + bars_from_closes(
        "BBB", wave(len(closes), phase=1.0, base=60), START
    )


def test_the_weights_move_in_a_learning_backtest() -> None:
    bars = bars_from_closes("AAA", wave(160), START) + bars_from_closes(
        "BBB", wave(160, phase=2.0, base=50), START
    )
    used, stage = _learning_run(bars)
    assert stage.evaluated > 0 and stage.path
    assert len({tuple(sorted(w.items())) for _, w in used}) > 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.floats(-0.06, 0.06), min_size=90, max_size=90),
    cut=st.integers(40, 85),
)
def test_weights_used_at_t_depend_only_on_trades_closed_before_t(
    steps: list[float], cut: int
) -> None:
    bars = _bars(steps, 90)
    whole, stage = _learning_run(bars)
    until = START + timedelta(days=cut)
    cut_run, _ = _learning_run([b for b in bars if b.ts <= until])
    assert [u for u in whole if u[0] <= until] == cut_run
    # and directly: the weights a signal at t used are the run's first ones or those left
    # by a trade closed before t (a trade closed at t's open by a symbol dispatched after
    # this one at t reaches the signals that follow it: later, never earlier)
    points = [(p.ts, p.weights) for p in stage.path]
    for ts, weights in whole:
        assert weights == {} or any(w == weights for when, w in points if when < ts)
