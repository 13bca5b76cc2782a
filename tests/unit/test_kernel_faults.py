"""Fault injection: redelivery, lost broker replies, a store that cannot write."""

from __future__ import annotations

import numpy as np
import pytest

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain import DecisionAction, OrderStatus
from tradebot.engine.bus import StageError
from tradebot.testing import (
    DuplicatingBus,
    FailingStore,
    MemoryStore,
    RecordingBroker,
    RecordingBus,
    RejectingBroker,
    TimeoutBroker,
    bars_from_closes,
)


def _bars() -> list:
    return bars_from_closes("AAA", wave(100), START, gap=0.2)


def test_every_message_delivered_twice_changes_nothing() -> None:
    plain_store, twice_store = MemoryStore(), MemoryStore()
    plain = make_kernel(_bars(), store=plain_store).run()
    twice = make_kernel(_bars(), store=twice_store, bus=DuplicatingBus()).run()
    assert plain.trades
    assert plain.trades == twice.trades
    assert plain_store.decisions == twice_store.decisions
    assert plain_store.fills == twice_store.fills
    assert np.array_equal(plain.equity, twice.equity)


def test_a_lost_submit_reply_is_looked_up_not_resubmitted() -> None:
    broker = TimeoutBroker()
    store = MemoryStore()
    result = make_kernel(_bars(), store=store, broker=broker).run()
    ids = [o.client_order_id for o in broker.submitted]
    assert ids and len(ids) == len(set(ids)), "each order reached the venue exactly once"
    assert result.trades, "orders the venue accepted still fill and trade"
    assert all(
        o.status is OrderStatus.FILLED
        for o in store.orders.values()
        if o.client_order_id in {f.client_order_id for f in store.fills.values()}
    )


def test_a_rejected_order_is_recorded_with_the_venue_reason() -> None:
    store = MemoryStore()
    result = make_kernel(_bars(), store=store, broker=RejectingBroker()).run()
    assert store.orders
    assert not store.fills
    assert not result.trades
    for order in store.orders.values():
        assert order.status is OrderStatus.REJECTED
        assert "insufficient buying power" in order.reason


def test_no_order_reaches_the_broker_when_it_cannot_be_recorded() -> None:
    broker = RecordingBroker()
    store = FailingStore()
    with pytest.raises(StageError) as info:
        make_kernel(_bars(), store=store, broker=broker).run()
    assert info.value.stage == "order-manager"
    assert broker.submitted == []
    assert store.runs["test-run"]["status"] == "failed", "partial results are kept"


def test_stages_see_bars_in_the_documented_order() -> None:
    bus = RecordingBus()
    make_kernel(_bars(), bus=bus)
    assert bus.stages("market.bars") == ["execution", "portfolio", "signal-generator"]
    # the order manager applies the venue's reports and publishes the fills it accepts
    assert bus.stages("execution.reports") == ["order-manager"]
    assert bus.stages("fills") == ["portfolio"]


def test_stop_ends_the_run_cleanly_with_partial_results() -> None:
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store)
    seen: list[int] = []

    def on_progress(done: int) -> None:
        seen.append(done)
        kernel.stop()

    result = kernel.run(progress=on_progress, every=50)
    assert result.status == "stopped"
    assert result.counts["bars"] == 50
    assert store.runs["test-run"]["status"] == "stopped"
    assert store.flushes >= 1
    acted = [d for d in store.decisions.values() if d.action is DecisionAction.ACT]
    assert len(store.orders) == len(acted)
