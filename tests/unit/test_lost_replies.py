"""A submit whose reply is lost: the order is UNKNOWN, asked about on the backoff schedule
through the clock's timers, resolved by the venue's answer — never resubmitted — or
escalated when the venue never says."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain import OrderStatus
from tradebot.domain.enums import DecisionAction, OrderSide, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import TradingDecision
from tradebot.domain.order_lookup import LookupSchedule
from tradebot.engine.ids import client_order_id
from tradebot.testing import LaggingBroker, MemoryStore, RecordingBus, bars_from_closes

SCHEDULE = LookupSchedule()


def _run(hidden: int, reached: bool = True) -> tuple[LaggingBroker, MemoryStore, RecordingBus]:
    broker = LaggingBroker(hidden, reached=reached, commission_rate=0, slippage_bps=0)
    store, bus = MemoryStore(), RecordingBus()
    make_kernel(bars_from_closes("AAA", wave(60), START), store=store, broker=broker, bus=bus).run()
    return broker, store, bus


def _statuses(bus: RecordingBus, coid: str) -> list[OrderStatus]:
    return [o.status for o in bus.messages["orders"] if o.client_order_id == coid]


def test_an_order_the_venue_shows_late_is_resolved_by_lookups_never_resent() -> None:
    broker, store, bus = _run(hidden=3)  # the lookup at once and two on the timers miss it
    first = broker.submitted[0].client_order_id
    assert [o.client_order_id for o in broker.submitted].count(first) == 1
    assert broker.lookups[:4] == [first] * 4
    path = _statuses(bus, first)
    assert path == [OrderStatus.UNKNOWN, OrderStatus.ACCEPTED, OrderStatus.FILLED]
    assert store.orders[first].status is OrderStatus.FILLED
    assert [f.client_order_id for f in store.fills.values()].count(first) == 1


def test_the_lookups_follow_the_schedule_in_simulated_time() -> None:
    broker, _, bus = _run(hidden=10**6, reached=False)
    first = broker.submitted[0]
    asked = [
        t.ts for t in bus.messages["timers.orders"] if t.key == f"lookup:{first.client_order_id}"
    ]
    lost_at = first.created_at  # the decision's time: the clock's when it was sent
    waits = [sum(SCHEDULE.delays()[: i + 1], timedelta(0)) for i in range(SCHEDULE.tries)]
    assert asked == [lost_at + w for w in waits]


def test_an_order_the_venue_never_shows_is_escalated_and_left_unknown() -> None:
    broker, store, _ = _run(hidden=10**6, reached=False)
    first = broker.submitted[0].client_order_id
    assert [o.client_order_id for o in broker.submitted].count(first) == 1
    assert len([c for c in broker.lookups if c == first]) == 1 + SCHEDULE.tries
    order = store.orders[first]
    assert order.status is OrderStatus.UNKNOWN
    assert "order unknown" in order.reason
    assert all(f.client_order_id != first for f in store.fills.values())


def test_an_unknown_order_blocks_new_entries_in_its_symbol_until_settled() -> None:
    broker = LaggingBroker(10**6, reached=False, commission_rate=0, slippage_bps=0)
    bars = bars_from_closes("AAA", wave(60), START)
    kernel = make_kernel(bars, broker=broker)
    kernel.run()
    first = broker.submitted[0].client_order_id
    assert kernel.gate.unknown == {"AAA": first}

    entry = TradingDecision(
        id="dec-operator-retry",
        signal_id="sig-x",
        ts=bars[-1].ts,
        symbol="AAA",
        action=DecisionAction.ACT,
        side=OrderSide.BUY,
        quantity=Decimal(10),
        reference_price=Decimal(100),
        reason="test",
    )
    kernel.orders.on_decision(entry)
    assert len(broker.submitted) == 1  # refused before the venue
    refused = kernel.orders.tracked(client_order_id(entry.id))
    assert refused is not None
    assert refused.order.status is OrderStatus.REJECTED
    assert f"order {first} of AAA is still unknown" in refused.order.reason

    settled = ExecutionReport(
        kind=ReportKind.REJECTED, client_order_id=first, ts=bars[-1].ts, reason="venue: none"
    )
    kernel.orders.on_report(settled)
    assert kernel.gate.unknown == {}
