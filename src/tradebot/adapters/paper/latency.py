"""The paper venue's latency: what it says reaches the engine ``delay`` after it happened.

With a latency, a market order is filled ``delay`` after it was decided, at the symbol's
last price (the close of its last bar, slippage applied) — the fill of a paper session on a
live feed, which has no next bar to look at — and every other report the venue makes (a
limit or stop filled on a later bar, a cancel of its own) is delivered ``delay`` after the
bar that caused it. Each delivery is a timer on the kernel's clock, so a fill lands in the
ledger at its own time, between two bars, not at the next bar. Without a latency (the
default, and every backtest's parity case) nothing here is used.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from tradebot.domain.execution import ExecutionReport
from tradebot.domain.timer import TimerEvent
from tradebot.ports import VENUE_TIMERS, Clock

__all__ = ["VenueLatency"]


class VenueLatency:
    def __init__(self, delay: timedelta, clock: Clock) -> None:
        if delay <= timedelta(0):
            raise ValueError(f"a venue latency must be > 0, got {delay}")
        self.delay = delay
        self._clock = clock
        self._held: dict[datetime, list[ExecutionReport]] = defaultdict(list)

    def fill_at(self, client_order_id: str, decided_at: datetime) -> datetime:
        """When a market order decided at ``decided_at`` fills; wake the venue then."""
        due = decided_at + self.delay
        self._clock.schedule(TimerEvent(due, VENUE_TIMERS, f"venue:fill:{client_order_id}"))
        return due

    def hold(self, reports: list[ExecutionReport], happened: datetime) -> None:
        """Deliver ``reports`` ``delay`` after ``happened``."""
        if not reports:
            return
        due = happened + self.delay
        self._held[due].extend(reports)
        self._clock.schedule(TimerEvent(due, VENUE_TIMERS, f"venue:deliver:{due.isoformat()}"))

    def delivered(self, now: datetime) -> list[ExecutionReport]:
        """The held reports due by ``now``, oldest first."""
        out: list[ExecutionReport] = []
        for due in sorted(t for t in self._held if t <= now):
            out.extend(self._held.pop(due))
        return out
