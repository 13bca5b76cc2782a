"""The operator and the risk stage: a pause skips entries with the trace check "operator"
while the review's exits go on; a kill also holds back exits (the review's and the exit
signals'); close-position closes one position at the command's time, between two bars;
set-tier records the change with the operator as its trigger; what cannot be done is
refused in one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from tests.unit.test_risk_timers_support import (
    CLOSES,
    RunRecord,
    daily_path,
    flat_daily,
    run_kernel,
)
from tradebot.domain import Bar
from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.engine import Kernel
from tradebot.engine.event_loop import RANK_COMMAND
from tradebot.engine.operator_gate import Hold
from tradebot.engine.risk_stage import RiskStage
from tradebot.engine.topics import MARKET_BARS
from tradebot.risk import TierChange, TierName


def _hold(kind: str) -> Hold:
    return Hold(f"cmd-{kind}", kind, "test", CLOSES[0])


def _at(when: datetime, act: Callable[[Kernel], None]) -> Callable[[Kernel], None]:
    """Before the run: do ``act`` once the bars of ``when`` have gone through."""

    def before(kernel: Kernel) -> None:
        def on_bar(bar: Bar) -> None:
            if bar.ts == when:
                act(kernel)

        kernel.spec.bus.subscribe(MARKET_BARS, on_bar, stage="test")

    return before


def _stage(run: RunRecord) -> RiskStage:
    return run.stage


def test_a_pause_skips_every_entry_with_the_operator_check() -> None:
    def pause(kernel: Kernel) -> None:
        kernel.gate.paused = _hold("pause")

    run = run_kernel(*daily_path(), before=pause)
    skips = sorted(run.store.decisions.values(), key=lambda d: d.ts)
    assert [d.action for d in skips] == [DecisionAction.SKIP, DecisionAction.SKIP]
    assert [c.check for c in skips[0].trace] == ["direction", "operator"]
    assert skips[0].trace[1].detail.startswith("entries blocked: pause by test at")
    assert run.stage.skip_reasons == {"operator": 2} and run.store.orders == {}


def test_under_a_pause_the_review_still_exits() -> None:
    def pause(kernel: Kernel) -> None:
        kernel.gate.paused = _hold("pause")

    run = run_kernel(*daily_path(), before=_at(CLOSES[16], pause))  # the entry filled at 16
    (exit_,) = run.sells()
    assert exit_.action is DecisionAction.ACT and exit_.ts == CLOSES[18]
    assert exit_.reason.startswith("exit KO: stop_loss")
    assert any(f.side is OrderSide.SELL for f in run.store.fills.values())
    assert run.stage.skip_reasons == {"operator": 1}  # the entry signal of bar 20


def test_under_a_kill_no_exit_goes_out() -> None:
    bars, _ = daily_path()
    plans = {"KO": {CLOSES[15]: Direction.LONG, CLOSES[19]: Direction.SHORT}}

    def kill(kernel: Kernel) -> None:
        kernel.gate.halted = _hold("kill")

    run = run_kernel(bars, plans, before=_at(CLOSES[16], kill))
    (short,) = [d for d in run.store.decisions.values() if d.ts == CLOSES[19]]
    assert short.action is DecisionAction.SKIP
    assert short.trace[-1].check == "operator"
    assert short.trace[-1].detail.startswith("orders halted: kill by test")
    assert [d for d in run.sells() if d.action is DecisionAction.ACT] == []
    assert "KO" in run.kernel.portfolio.positions  # the review's stop exit was held back


def test_close_position_closes_at_the_commands_time_between_two_bars() -> None:
    at = CLOSES[17] + timedelta(hours=2)

    def command(kernel: Kernel) -> None:
        stage = kernel.decisions
        assert isinstance(stage, RiskStage)
        kernel.spec.bus.subscribe(
            "test.commands", lambda _: stage.close_position("KO", "by test", at), stage="test"
        )
        kernel.post(None, "test.commands", at, RANK_COMMAND)

    run = run_kernel(flat_daily(24), {"KO": {CLOSES[15]: Direction.LONG}}, before=command)
    (exit_,) = run.sells()
    assert exit_.ts == at and exit_.strategies == ("operator:close",)
    assert [(c.check, c.detail) for c in exit_.trace] == [
        ("exit: operator", "closed by the operator: by test")
    ]
    assert run.store.signals[exit_.signal_id].sources == {"operator:close": 1.0}
    (fill,) = [f for f in run.store.fills.values() if f.side is OrderSide.SELL]
    assert fill.ts > at and fill.quantity == exit_.quantity
    assert run.kernel.portfolio.positions == {}
    assert run.stage.exits == 0  # the operator's, not the engine's


def test_what_cannot_be_done_is_refused_in_one_line() -> None:
    run = run_kernel(flat_daily(20), {"KO": {CLOSES[15]: Direction.LONG}})
    stage, later = run.stage, CLOSES[19] + timedelta(hours=1)
    with pytest.raises(CommandRefusedError, match="no PEP position to close"):
        stage.close_position("PEP", "", later)
    run.kernel.gate.halted = _hold("kill")
    with pytest.raises(CommandRefusedError, match="orders are halted"):
        stage.close_position("KO", "", later)
    run.kernel.gate.closing = True  # a flatten's own closes pass
    stage.close_position("KO", "flatten", later)
    with pytest.raises(CommandRefusedError, match="already working"):
        stage.close_position("KO", "again", later)
    with pytest.raises(CommandRefusedError) as refused:
        stage.set_tier("bold", "", later)
    assert refused.value.one_line() == (
        "unknown risk tier 'bold' — use one of conservative, moderate, aggressive"
    )


def test_set_tier_records_the_operator_as_the_trigger() -> None:
    run = run_kernel(flat_daily(18), {})
    stage, later = run.stage, CLOSES[17] + timedelta(hours=1)
    stage.set_tier(" Conservative ", "drawdown", later)
    stage.set_tier("conservative", "again", later)  # the same tier: nothing recorded
    assert stage.state.tier is TierName.CONSERVATIVE
    changes = [e for e in run.store.risk_events["r"].values() if isinstance(e, TierChange)]
    assert [(c.previous, c.new, c.trigger, c.ts) for c in changes] == [
        (TierName.MODERATE, TierName.CONSERVATIVE, "operator: drawdown", later)
    ]
