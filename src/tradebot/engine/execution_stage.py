"""The execution stage: gives each bar to the broker first, and publishes its fills.

Subscribed to ``market.bars`` before any strategy, so an order decided on bar t can only
fill on a later bar. A fill id seen before is ignored: the order state machine never
applies the same venue trade twice. Status changes the venue made on its own (a venue with
``order_updates``: a rejection at fill time, an OCO cancel) follow on ``orders.venue``.
"""

from __future__ import annotations

from tradebot.domain.bar import Bar
from tradebot.engine.topics import FILLS, ORDER_UPDATES
from tradebot.ports import Broker, Bus, Store

__all__ = ["ExecutionStage"]


class ExecutionStage:
    stage = "execution"

    def __init__(self, *, run_id: str, broker: Broker, store: Store, bus: Bus) -> None:
        self._run_id = run_id
        self._broker = broker
        self._store = store
        self._bus = bus
        self._fill_ids: set[str] = set()
        self._updates = getattr(broker, "order_updates", None)

    def on_bar(self, bar: Bar) -> None:
        for fill in self._broker.on_bar(bar):
            if fill.fill_id in self._fill_ids:
                continue
            self._fill_ids.add(fill.fill_id)
            self._store.record_fill(self._run_id, fill)
            self._bus.publish(FILLS, fill)
        if self._updates is not None:
            for order in self._updates():
                self._bus.publish(ORDER_UPDATES, order)
