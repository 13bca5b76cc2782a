"""Every order is recorded before the venue sees it — plain orders, a bracket's entry *and*
its children, later legs with their own brackets: a store that dies at any write leaves the
venue holding only orders the store knows, and a bracket whose children could not all be
recorded is not sent at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.domain import Bar, Timeframe
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus
from tradebot.domain.errors import StoreError
from tradebot.domain.messages import TradingDecision
from tradebot.engine import MemoryBus
from tradebot.engine.ids import client_order_id
from tradebot.engine.order_manager import OrderManager
from tradebot.testing import FailingStore, RecordingBroker, RejectingBroker, TimeoutBroker

D = Decimal
T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)


def _decision(did: str, side: OrderSide, *, i: int = 0, bracket: bool = False) -> TradingDecision:
    return TradingDecision(
        id=did,
        signal_id="sig-" + did.removeprefix("dec-"),
        ts=T0 + timedelta(days=i),
        symbol="KO",
        action=DecisionAction.ACT,
        side=side,
        quantity=D(10),
        reference_price=D(100),
        reason="test",
        strategies=("macd",),
        stop_loss=D(95) if bracket else None,
        take_profit=D(110) if bracket else None,
    )


def _bar(i: int) -> Bar:
    return Bar("KO", Timeframe.D1, T0 + timedelta(days=i), 100, 101, 99, 100, 1e6)


Step = Callable[[OrderManager, RecordingBroker], object]


def _fills(om: OrderManager, venue: RecordingBroker, i: int) -> None:
    """Bar ``i`` at the venue, its reports to the order manager."""
    for report in venue.on_bar(_bar(i)):
        om.on_report(report)


PLAIN: list[Step] = [
    lambda om, _: om.on_decision(_decision("dec-a", OrderSide.BUY)),
    lambda om, venue: _fills(om, venue, 1),
    lambda om, _: om.on_decision(_decision("dec-b", OrderSide.SELL, i=1)),
]
BRACKET: list[Step] = [
    lambda om, _: om.on_decision(_decision("dec-a", OrderSide.BUY, bracket=True)),
    lambda om, venue: _fills(om, venue, 1),
    # a second tranche of the same decision, with a bracket of its own
    lambda om, _: om.submit_leg("dec-a", 1, D(5), T0 + timedelta(days=1), "tranche", (D(96), None)),
    lambda om, venue: _fills(om, venue, 2),
    lambda om, _: om.submit_leg(
        "dec-a", 2, D(5), T0 + timedelta(days=2), "tranche", (D(96), D(9e3))
    ),
    # an exit: cancels the working children first, then goes out plain
    lambda om, _: om.on_decision(_decision("dec-x", OrderSide.SELL, i=2)),
]


def _play(steps: list[Step], om: OrderManager, venue: RecordingBroker) -> None:
    for step in steps:
        step(om, venue)


def _writes(steps: list[Step]) -> int:
    """How many order writes the whole sequence makes when nothing fails."""
    store, venue = FailingStore(after=10**6), RecordingBroker()
    _play(steps, OrderManager(run_id="r", broker=venue, store=store, bus=MemoryBus()), venue)
    assert bool(venue.held) is (steps is BRACKET), "brackets go out in the bracket sequence only"
    return store.order_writes


@pytest.mark.parametrize("steps", [PLAIN, BRACKET], ids=["plain", "bracket-and-legs"])
def test_a_store_failing_at_any_write_leaves_no_order_at_the_venue_it_does_not_know(
    steps: list[Step],
) -> None:
    total = _writes(steps)
    assert total > len(steps)
    for after in range(total):
        store, venue = FailingStore(after=after), RecordingBroker()
        om = OrderManager(run_id="r", broker=venue, store=store, bus=MemoryBus())
        with pytest.raises(StoreError):
            _play(steps, om, venue)
        unknown = venue.received() - store.orders.keys()
        assert not unknown, f"failing after {after} writes, the venue holds {unknown}"


def test_a_bracket_whose_second_child_cannot_be_recorded_is_not_sent() -> None:
    store, venue = FailingStore(after=2), RecordingBroker()  # the entry and its stop only
    om = OrderManager(run_id="r", broker=venue, store=store, bus=MemoryBus())
    with pytest.raises(StoreError):
        om.on_decision(_decision("dec-a", OrderSide.BUY, bracket=True))
    assert venue.received() == set()
    coid = client_order_id("dec-a")
    assert set(store.orders) == {coid, coid + "-sl"}  # recorded, never sent: status new
    assert {o.status for o in store.orders.values()} == {OrderStatus.NEW}


def test_children_of_a_refused_bracket_are_recorded_cancelled() -> None:
    store = FailingStore(after=10**6)
    om = OrderManager(run_id="r", broker=RejectingBroker(), store=store, bus=MemoryBus())
    om.on_decision(_decision("dec-a", OrderSide.BUY, bracket=True))
    coid = client_order_id("dec-a")
    assert store.orders[coid].status is OrderStatus.REJECTED
    assert {store.orders[coid + s].status for s in ("-sl", "-tp")} == {OrderStatus.CANCELLED}
    assert om.protective_orders() == [] and om.open_orders() == []


def test_a_bracket_whose_reply_was_lost_is_looked_up_child_by_child() -> None:
    venue = TimeoutBroker()
    store = FailingStore(after=10**6)
    om = OrderManager(run_id="r", broker=venue, store=store, bus=MemoryBus())
    om.on_decision(_decision("dec-a", OrderSide.BUY, bracket=True))
    coid = client_order_id("dec-a")
    assert len(venue.submitted) == 1  # looked up, not resubmitted
    assert store.orders[coid].status is OrderStatus.ACCEPTED
    assert {store.orders[coid + s].status for s in ("-sl", "-tp")} == {OrderStatus.NEW}
    for report in venue.on_bar(_bar(1)):
        om.on_report(report)
    assert {o.status for o in om.protective_orders()} == {OrderStatus.ACCEPTED}
