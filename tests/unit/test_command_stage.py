"""Operator commands through the kernel's event stream (the reference decision stage, fakes
from ``tradebot.testing``): pause blocks entries while exits go out, kill cancels every open
order and nothing new goes out, flatten and close exit positions, set-tier is the risk
engine's, a redelivered command changes nothing, and every command is recorded with its
outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import START, make_kernel
from tradebot.domain import Bar, DecisionAction, Direction, OrderSide, OrderStatus, Timeframe
from tradebot.domain.commands import (
    CommandKind,
    CommandOutcome,
    CommandRecord,
    CommandStatus,
    OperatorCommand,
)
from tradebot.domain.order_state import FINAL_STATUSES
from tradebot.engine import Kernel, MemoryBus, SizingRules
from tradebot.engine.command_stage import gate_from_history
from tradebot.engine.decision_stage import OPERATOR_CHECK, skip_reason
from tradebot.engine.event_loop import RANK_COMMAND
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.risk_stage import RiskSetup, RiskStage
from tradebot.engine.topics import COMMAND_OUTCOMES, COMMANDS
from tradebot.risk import RiskEngine, exchange_sessions
from tradebot.risk.tiers import TierChange, TierName
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import MemoryStore, bars_from_closes

RUN = "test-run"
BRACKETED = SizingRules(
    position_fraction=Decimal("0.2"),
    max_open_positions=4,
    cash_buffer=Decimal("0.02"),
    commission_rate=Decimal("0.001"),
    stop_loss=Decimal("0.5"),
    take_profit=Decimal("0.5"),
)
"""Entries go out as brackets whose levels a flat price never reaches: protective orders
stay working while a position is held."""

_CHILD = ("-sl", "-tp")
Plan = Mapping[str, Mapping[int, Direction]]
L, S = Direction.LONG, Direction.SHORT


@dataclass
class _Script:
    plan: Mapping[int, Direction]
    seen: int = 0
    name = "script"
    warmup_period = 0

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        index, self.seen = self.seen, self.seen + 1
        direction = self.plan.get(index)
        return None if direction is None else Opinion(direction, 0.9, 0.9, "scripted")

    def reset(self) -> None:
        self.seen = 0


@dataclass
class _Scripts:
    """Says, for each symbol, what it is told at the bar indices it is told."""

    plans: Plan
    name: str = "script"
    warmup_period: int = 0

    def __call__(self, symbol: str) -> _Script:
        return _Script(self.plans.get(symbol, {}))


def _at(bar: int, hours: float = 0) -> datetime:
    return START + timedelta(days=bar, hours=hours)


def _kernel(plans: Plan, *, bars: int = 30, **kwargs: Any) -> tuple[Kernel, MemoryStore]:
    series = [b for s in plans for b in bars_from_closes(s, [100.0] * bars, START)]
    store = MemoryStore()
    kernel = make_kernel(
        sorted(series, key=lambda b: (b.ts, b.symbol)),
        store=store,
        bus=MemoryBus(),
        strategies=[_Scripts(plans)],
        strategy="script",
        run_id=RUN,
        **{"rules": BRACKETED} | kwargs,
    )
    return kernel, store


def _command(kind: CommandKind, tag: str = "", **fields: Any) -> OperatorCommand:
    return OperatorCommand(
        id=f"cmd-{kind}{tag}", kind=kind, ts=START, source="test", run_id=RUN, **fields
    )


def _post(kernel: Kernel, command: OperatorCommand, at: datetime) -> None:
    kernel.post(command, COMMANDS, at, RANK_COMMAND)


def _outcomes(kernel: Kernel) -> list[CommandOutcome]:
    seen: list[CommandOutcome] = []
    kernel.spec.bus.subscribe(COMMAND_OUTCOMES, seen.append, stage="test")
    return seen


def _record(store: MemoryStore, command: OperatorCommand) -> CommandRecord:
    records = {r.command.id: r for r in store.commands(RUN)}
    return records[command.id]


def _decisions(store: MemoryStore, symbol: str) -> list[Any]:
    return sorted((d for d in store.decisions.values() if d.symbol == symbol), key=lambda d: d.ts)


def _open(store: MemoryStore) -> list[str]:
    return [c for c, o in store.orders.items() if o.status not in FINAL_STATUSES]


def test_a_pause_blocks_entries_with_an_operator_check_while_exits_go_out() -> None:
    plans = {"AAA": {2: L, 10: S}, "BBB": {6: L, 15: L}}
    kernel, store = _kernel(plans)
    pause, resume = _command(CommandKind.PAUSE), _command(CommandKind.RESUME)
    _post(kernel, pause, _at(5))
    _post(kernel, resume, _at(12))
    kernel.run()

    aaa_entry, aaa_exit = _decisions(store, "AAA")
    assert aaa_entry.action is DecisionAction.ACT and aaa_entry.ts == _at(2)
    assert aaa_exit.action is DecisionAction.ACT and aaa_exit.side is OrderSide.SELL
    assert aaa_exit.ts == _at(10), "an exit is decided while paused"
    exit_order = next(o for o in store.orders.values() if o.decision_id == aaa_exit.id)
    assert exit_order.status is OrderStatus.FILLED, "and its order goes out and fills"

    blocked, after = _decisions(store, "BBB")
    assert blocked.ts == _at(6) and blocked.action is DecisionAction.SKIP
    assert skip_reason(blocked) == OPERATOR_CHECK
    check = next(c for c in blocked.trace if c.check == OPERATOR_CHECK)
    assert not check.passed and pause.id in check.detail and "pause by test" in check.detail
    assert after.ts == _at(15) and after.action is DecisionAction.ACT, "resumed"

    for command in (pause, resume):
        record = _record(store, command)
        assert record.status is CommandStatus.APPLIED and record.decided_at is not None
    assert "paused" in _record(store, pause).outcome
    assert "lifted pause by test" in _record(store, resume).outcome


def test_a_kill_cancels_every_open_order_and_nothing_new_goes_out() -> None:
    # AAA holds a bracketed position (its protective orders work); BBB's entry was decided
    # at bar 4 and waits for bar 5's open when the kill comes between the two
    plans = {"AAA": {1: L, 12: S}, "BBB": {4: L, 20: S}, "CCC": {8: L}}
    kernel, store = _kernel(plans)
    kill = _command(CommandKind.KILL)
    outcomes = _outcomes(kernel)
    known_at_kill: list[set[str]] = []
    kernel.spec.bus.subscribe(
        COMMAND_OUTCOMES, lambda _: known_at_kill.append(set(store.orders)), stage="test"
    )
    _post(kernel, kill, _at(4, hours=12))
    kernel.run()

    (outcome,) = outcomes
    assert outcome.status is CommandStatus.APPLIED
    bbb_entry = next(o for o in store.orders.values() if o.symbol == "BBB")
    aaa_protection = {c for c, o in store.orders.items() if o.symbol == "AAA" and c[-3:] in _CHILD}
    assert {bbb_entry.client_order_id, *aaa_protection} <= set(outcome.cancelled)
    assert aaa_protection, "the position's protective orders were working"
    for coid in outcome.cancelled:
        order = store.orders[coid]
        assert order.status is OrderStatus.CANCELLED
        assert kill.id in order.reason
    assert not _open(store), "nothing is left open"
    assert set(store.orders) == known_at_kill[0], "no order was made after the kill"
    assert not any(f.client_order_id == bbb_entry.client_order_id for f in store.fills.values())

    later = [d for d in store.decisions.values() if d.ts > _at(4, hours=12)]
    assert not [d for d in later if d.action is DecisionAction.ACT]
    blocked = [d for d in later if skip_reason(d) == OPERATOR_CHECK]
    assert sorted((d.symbol, d.ts) for d in blocked) == [("AAA", _at(12)), ("CCC", _at(8))]
    assert _record(store, kill).status is CommandStatus.APPLIED
    assert f"{len(outcome.cancelled)} open order(s) cancelled" in _record(store, kill).outcome


def test_a_flatten_closes_every_position_and_halts() -> None:
    plans = {"AAA": {1: L}, "BBB": {3: L}, "CCC": {9: L}}
    kernel, store = _kernel(plans)
    flatten = _command(CommandKind.FLATTEN)
    outcomes = _outcomes(kernel)
    _post(kernel, flatten, _at(6))
    kernel.run()

    (outcome,) = outcomes
    assert outcome.status is CommandStatus.APPLIED and outcome.closing == ("AAA", "BBB")
    closes = [d for d in store.decisions.values() if d.strategies == ("operator:close",)]
    assert sorted(d.symbol for d in closes) == ["AAA", "BBB"]
    for decision in closes:
        assert decision.action is DecisionAction.ACT and decision.side is OrderSide.SELL
        assert decision.ts == _at(6) and flatten.id in decision.reason
        (check,) = decision.trace
        assert check.check == OPERATOR_CHECK and check.passed
    assert not kernel.portfolio.positions, "every position was closed at the next open"
    assert not _open(store)
    (ccc,) = _decisions(store, "CCC")
    assert ccc.action is DecisionAction.SKIP and skip_reason(ccc) == OPERATOR_CHECK
    assert "closing AAA, BBB" in _record(store, flatten).outcome


def test_close_one_position_leaves_the_others_and_refuses_one_not_held() -> None:
    plans = {"AAA": {1: L}, "BBB": {3: L, 20: S}}
    kernel, store = _kernel(plans)
    close = _command(CommandKind.CLOSE_POSITION, symbol="AAA")
    missing = _command(CommandKind.CLOSE_POSITION, "-z", symbol="ZZZ")
    _post(kernel, close, _at(6))
    _post(kernel, missing, _at(7))
    kernel.run()

    (closed,) = [d for d in store.decisions.values() if d.strategies == ("operator:close",)]
    assert closed.symbol == "AAA" and closed.quantity > 0
    assert "AAA" not in kernel.portfolio.positions
    bbb = _decisions(store, "BBB")
    assert [d.action for d in bbb] == [DecisionAction.ACT, DecisionAction.ACT], "BBB trades on"
    assert _record(store, close).status is CommandStatus.APPLIED
    refused = _record(store, missing)
    assert refused.status is CommandStatus.REFUSED
    assert refused.outcome.startswith("no ZZZ position to close")


def test_close_is_refused_while_halted_and_resume_lifts_the_halt() -> None:
    plans = {"AAA": {1: L}, "BBB": {14: L}}
    kernel, store = _kernel(plans)
    kill, close = _command(CommandKind.KILL), _command(CommandKind.CLOSE_POSITION, symbol="AAA")
    resume = _command(CommandKind.RESUME)
    for command, bar in ((kill, 5), (close, 6), (resume, 10)):
        _post(kernel, command, _at(bar))
    kernel.run()

    assert _record(store, close).status is CommandStatus.REFUSED
    assert "orders are halted" in _record(store, close).outcome
    assert "AAA" in kernel.portfolio.positions, "its protection was cancelled, it is held"
    (bbb,) = _decisions(store, "BBB")
    assert bbb.action is DecisionAction.ACT, "entries after the resume"


def test_set_tier_is_refused_by_the_reference_stage_and_an_unknown_tier_too() -> None:
    kernel, store = _kernel({"AAA": {1: L}})
    tier = _command(CommandKind.SET_TIER, tier="conservative")
    _post(kernel, tier, _at(3))
    kernel.run()
    record = _record(store, tier)
    assert record.status is CommandStatus.REFUSED
    assert "no risk tiers" in record.outcome


def test_a_redelivered_command_changes_nothing() -> None:
    plans = {"AAA": {1: L, 12: S}}
    kernel, store = _kernel(plans)
    outcomes = _outcomes(kernel)
    kill, resume = _command(CommandKind.KILL), _command(CommandKind.RESUME)
    _post(kernel, kill, _at(4))
    _post(kernel, resume, _at(6))
    _post(kernel, kill, _at(8))  # the same kill again, after the resume: ignored
    kernel.run()
    assert [o.command_id for o in outcomes] == [kill.id, resume.id]
    (exit_decision,) = [d for d in _decisions(store, "AAA") if d.ts == _at(12)]
    assert exit_decision.action is DecisionAction.ACT, "not halted by the repeat"
    assert [r.command.id for r in store.commands(RUN)] == [kill.id, resume.id]


def test_a_command_for_another_run_is_refused() -> None:
    kernel, store = _kernel({"AAA": {1: L}})
    stray = OperatorCommand(
        id="cmd-stray", kind=CommandKind.KILL, ts=START, source="test", run_id="other-run"
    )
    _post(kernel, stray, _at(3))
    kernel.run()
    assert not kernel.gate.halted
    (record,) = store.commands("other-run")
    assert record.status is CommandStatus.REFUSED and f"not {RUN}" in record.outcome


def test_the_gate_is_rebuilt_from_the_applied_commands() -> None:
    def record(kind: CommandKind, tag: str, status: CommandStatus) -> CommandRecord:
        return CommandRecord(command=_command(kind, tag), status=status, decided_at=_at(1))

    applied, refused = CommandStatus.APPLIED, CommandStatus.REFUSED
    gate = gate_from_history(
        [
            record(CommandKind.PAUSE, "1", applied),
            record(CommandKind.RESUME, "2", applied),
            record(CommandKind.KILL, "3", refused),
            record(CommandKind.FLATTEN, "4", applied),
        ]
    )
    assert gate.paused is None
    assert gate.halted is not None and gate.halted.command_id == "cmd-flatten4"
    assert gate.halted.kind == "flatten" and not gate.closing


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": CommandKind.CLOSE_POSITION}, "needs a symbol"),
        ({"kind": CommandKind.KILL, "symbol": "AAA"}, "takes no symbol"),
        ({"kind": CommandKind.SET_TIER}, "needs a tier"),
        ({"kind": CommandKind.PAUSE, "tier": "moderate"}, "takes no tier"),
        ({"kind": CommandKind.CLOSE_POSITION, "symbol": "aapl"}, "upper-case"),
        ({"kind": CommandKind.KILL, "ts": START.replace(tzinfo=None)}, "timezone-aware"),
        ({"kind": CommandKind.KILL, "id": ""}, "command id"),
        ({"kind": CommandKind.KILL, "run_id": ""}, "names the run"),
    ],
)
def test_a_malformed_command_is_refused_where_it_is_made(
    fields: dict[str, Any], message: str
) -> None:
    values = {"id": "cmd-x", "ts": START, "source": "test", "run_id": RUN} | fields
    with pytest.raises(ValueError, match=message):
        OperatorCommand(**values)


def test_set_tier_moves_the_risk_engine_and_records_the_change() -> None:
    calendar = exchange_sessions(date(2021, 1, 1), date(2021, 3, 31))
    closes = [
        s.close for d in range(40) if (s := calendar.session(date(2021, 2, 1) + timedelta(d)))
    ]
    bars = [Bar("KO", Timeframe.D1, ts, 100.0, 101.0, 99.0, 100.0, 1e6) for ts in closes]
    store = MemoryStore()
    setup = RiskSetup(RiskEngine(calendar=calendar), calendar)
    kernel = make_kernel(bars, store=store, run_id=RUN, risk=setup, strategies=[_Scripts({})])
    assert isinstance(kernel.decisions, RiskStage)
    start = kernel.decisions.state.tier
    assert start is not TierName.CONSERVATIVE
    tier = replace(_command(CommandKind.SET_TIER, tier="conservative"), ts=closes[0])
    wrong = _command(CommandKind.SET_TIER, "-x", tier="reckless")
    _post(kernel, tier, closes[3])
    _post(kernel, wrong, closes[4])
    kernel.run()

    assert kernel.decisions.state.tier is TierName.CONSERVATIVE
    assert _record(store, tier).status is CommandStatus.APPLIED
    changes = [e for e in store.risk_events[RUN].values() if isinstance(e, TierChange)]
    assert [(c.previous, c.new) for c in changes] == [(start, TierName.CONSERVATIVE)]
    assert tier.id in changes[0].trigger
    refused = _record(store, wrong)
    assert refused.status is CommandStatus.REFUSED
    assert refused.outcome.startswith("unknown risk tier 'reckless'")


_GATE_KINDS = st.sampled_from(
    [CommandKind.PAUSE, CommandKind.RESUME, CommandKind.KILL, CommandKind.FLATTEN]
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(_GATE_KINDS, st.integers(0, 11)), max_size=8))
def test_the_recorded_history_rebuilds_the_gate_the_run_left(
    commands: list[tuple[CommandKind, int]],
) -> None:
    kernel, store = _kernel({"AAA": {1: L, 7: S}, "BBB": {3: L}}, bars=12)
    for n, (kind, bar) in enumerate(commands):
        _post(kernel, _command(kind, f"-{n}"), _at(bar, hours=n / 10))
    kernel.run()

    def holds(gate: OperatorGate) -> tuple[object, ...]:
        return tuple(
            None if hold is None else (hold.command_id, hold.kind, hold.source)
            for hold in (gate.paused, gate.halted)
        )

    history = store.commands(RUN)
    assert len(history) == len(commands)
    assert all(r.status is CommandStatus.APPLIED for r in history)
    assert holds(gate_from_history(history)) == holds(kernel.gate)
