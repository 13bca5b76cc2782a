"""The execution stage: shows each bar to a simulated venue first and hands what it reports
to the order manager.

Subscribed to ``market.bars`` before any strategy, so an order decided on bar t can only
fill on a later bar. A simulated venue (the paper broker) answers each bar with execution
reports — its fills, then the status changes it made on its own (a rejection at fill time,
an OCO cancel) — and, with a latency, on its own timers (``timers.venue``); the order
manager applies them through the order state machine, which refuses a second fill of the
same trade. A live venue's reports arrive on their own stream instead, through the
kernel's inbox on ``execution.reports``, and go to the same order manager.
"""

from __future__ import annotations

from tradebot.domain.bar import Bar
from tradebot.domain.timer import TimerEvent
from tradebot.engine.order_manager import OrderManager
from tradebot.ports import SimulatedVenue

__all__ = ["ExecutionStage"]


class ExecutionStage:
    stage = "execution"

    def __init__(self, *, venue: SimulatedVenue | None, orders: OrderManager) -> None:
        """``venue``: None for a live broker, whose reports are pushed, not asked for."""
        self._venue = venue
        self._orders = orders

    def on_bar(self, bar: Bar) -> None:
        venue = self._venue
        if venue is None:
            return
        reports = venue.on_bar(bar)
        if reports:
            on_report = self._orders.on_report
            for report in reports:
                on_report(report)

    def on_timer(self, timer: TimerEvent) -> None:
        """One of the venue's own timers (``timers.venue``)."""
        if self._venue is not None:
            for report in self._venue.on_timer(timer):
                self._orders.on_report(report)
