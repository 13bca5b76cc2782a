"""An order's first report that fills it is applied without its state being built; the
state, made when someone asks for it, is the state machine's, and every later report is
judged against it as if it had been made at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tradebot.domain import Bar, Timeframe
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Order, TradingDecision
from tradebot.domain.order_state import OrderState, Refusal, apply
from tradebot.engine import MemoryBus
from tradebot.engine.ids import client_order_id
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.topics import FILLS
from tradebot.testing import MemoryStore, RecordingBroker

D = Decimal
T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)


def _decision(did: str, side: OrderSide, **size: Decimal) -> TradingDecision:
    return TradingDecision(
        id=did,
        signal_id="sig-" + did.removeprefix("dec-"),
        ts=T0,
        symbol="KO",
        action=DecisionAction.ACT,
        side=side,
        reference_price=D(100),
        reason="test",
        strategies=("sma_cross",),
        **size,
    )


def _setup() -> tuple[OrderManager, RecordingBroker, MemoryStore, list[object]]:
    venue = RecordingBroker(commission_rate=D("0.001"), initial_cash=D(100_000))
    store, bus = MemoryStore(), MemoryBus()
    fills: list[object] = []
    bus.subscribe(FILLS, fills.append, stage="test")
    return OrderManager(run_id="r", broker=venue, store=store, bus=bus), venue, store, fills


def _fill_reports(venue: RecordingBroker, i: int = 1) -> list[ExecutionReport]:
    return venue.on_bar(Bar("KO", Timeframe.D1, T0 + timedelta(days=i), 100, 101, 99, 100, 1e6))


def test_a_first_fill_is_applied_and_its_state_is_the_machines_when_asked() -> None:
    om, venue, store, fills = _setup()
    om.on_decision(_decision("dec-a", OrderSide.BUY, notional=D(5_000)))
    coid = client_order_id("dec-a")
    tracked = om.tracked(coid)
    assert tracked is not None
    before: Order = tracked.order
    (report,) = _fill_reports(venue)
    om.on_report(report)
    assert tracked.order.status is OrderStatus.FILLED
    assert store.orders[coid].status is OrderStatus.FILLED
    assert fills == [report.fill] and store.fills[report.trade_id or ""] is report.fill
    assert tracked._state is None  # not made yet: nothing asked
    expected = apply(OrderState.as_recorded(before), report)
    assert repr(tracked.state) == repr(expected.state)
    assert tracked.filled == report.quantity


def test_a_later_report_is_judged_against_the_state_the_first_fill_made() -> None:
    om, venue, _, fills = _setup()
    om.on_decision(_decision("dec-a", OrderSide.BUY, quantity=D(10)))
    coid = client_order_id("dec-a")
    (report,) = _fill_reports(venue)
    om.on_report(report)
    om.on_report(report)  # redelivered: the same trade id
    later = ExecutionReport(kind=ReportKind.CANCELLED, client_order_id=coid, ts=T0 + timedelta(2))
    om.on_report(later)  # the order is filled: final
    assert [why.split(":")[0] for _, why in om.refused] == [
        Refusal.DUPLICATE_TRADE,
        Refusal.FINAL,
    ]
    assert len(fills) == 1
    tracked = om.tracked(coid)
    assert tracked is not None and tracked.state.status is OrderStatus.FILLED
    assert tracked.state.trade_ids == {report.trade_id}


def test_an_order_whose_first_report_is_no_fill_takes_the_machine_at_once() -> None:
    om, _, store, _ = _setup()
    om.on_decision(_decision("dec-a", OrderSide.BUY, quantity=D(10)))
    coid = client_order_id("dec-a")
    cancel = ExecutionReport(kind=ReportKind.CANCELLED, client_order_id=coid, ts=T0, reason="x")
    om.on_report(cancel)
    tracked = om.tracked(coid)
    assert tracked is not None and tracked._state is not None
    assert tracked._state.status is OrderStatus.CANCELLED
    assert store.orders[coid].status is OrderStatus.CANCELLED and store.orders[coid].reason == "x"
