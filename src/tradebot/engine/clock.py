"""Clocks: the only place the engine learns what time it is, and where timers wait.

``SimClock`` jumps to each event (backtests). ``PacedClock`` replays history at N× real
time (paper replay) and can be interrupted. The live clock reads the wall clock, so it is an
adapter (:class:`tradebot.adapters.clock.LiveClock`). The kernel drives them all the same
way: ``advance_to(event.ts)`` before each event.

Every clock holds the pending timers (:class:`~tradebot.domain.timer.TimerQueue`): a stage
schedules a :class:`~tradebot.domain.timer.TimerEvent` and the kernel's event stream hands
it back when the clock reaches its time — between two bars, or with no bar at all.
"""

from __future__ import annotations

import threading
from datetime import datetime

from tradebot.domain.batch import EPOCH
from tradebot.domain.timer import TimerEvent, TimerQueue

__all__ = ["PacedClock", "SimClock"]


class _Timers:
    """The timer half of every clock (see the module docstring)."""

    timers: TimerQueue

    def schedule(self, timer: TimerEvent) -> None:
        self.timers.schedule(timer)

    def cancel(self, key: str) -> None:
        self.timers.cancel(key)


class SimClock(_Timers):
    """Simulated time: ``advance_to`` sets now, instantly. Time never goes backwards."""

    instant = True
    """Nothing waits between events, so the kernel may skip quiet bars (its batch path)."""

    def __init__(self, start: datetime = EPOCH) -> None:
        self._now = start
        self.timers = TimerQueue()

    def now(self) -> datetime:
        return self._now

    def advance_to(self, ts: datetime) -> None:
        if ts > self._now:
            self._now = ts

    def interrupt(self) -> None:
        """Nothing waits in simulated time."""


class PacedClock(SimClock):
    """Simulated time that waits ``(ts - now) / speed`` seconds of real time per step.

    Gaps longer than ``max_gap_s`` of real time (weekends in daily data) are shortened to it,
    so a replay shows steady progress. ``interrupt()`` wakes a waiting clock at once.
    """

    instant = False

    def __init__(self, speed: float, *, max_gap_s: float = 5.0, start: datetime = EPOCH) -> None:
        super().__init__(start)
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self.speed = speed
        self.max_gap_s = max_gap_s
        self._wake = threading.Event()
        self._started = False

    def advance_to(self, ts: datetime) -> None:
        if self._started and ts > self._now:
            wait = min((ts - self._now).total_seconds() / self.speed, self.max_gap_s)
            self._wake.wait(wait)
            self._wake.clear()  # woken once (a command, a stop): the next step paces again
        self._started = True
        super().advance_to(ts)

    def interrupt(self) -> None:
        self._wake.set()
