"""A venue that refuses an order at fill time tells the order manager, which closes it."""

from __future__ import annotations

from decimal import Decimal

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain.enums import OrderSide, OrderStatus
from tradebot.testing import MemoryStore, RecordingBroker, bars_from_closes


def test_a_rejection_at_fill_time_closes_the_order_and_frees_the_symbol() -> None:
    store = MemoryStore()
    # the venue's account holds far less than the kernel's ledger believes
    broker = RecordingBroker(initial_cash=Decimal(500), commission_rate=Decimal("0.001"))
    kernel = make_kernel(bars_from_closes("AAA", wave(160), START), store=store, broker=broker)
    kernel.run()
    buys = [o for o in store.orders.values() if o.side is OrderSide.BUY]
    reached_a_bar = [o for o in buys if o.status is not OrderStatus.ACCEPTED]
    assert len(reached_a_bar) >= 2  # later entries were not blocked by a stale "open" order
    assert all(o.status is OrderStatus.REJECTED for o in reached_a_bar)
    assert all("insufficient cash" in o.reason for o in reached_a_bar)
    assert len(kernel.orders.open_orders()) == len(buys) - len(reached_a_bar) <= 1
    assert store.fills == {} and kernel.portfolio.positions == {}
