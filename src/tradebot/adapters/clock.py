"""The wall clock: the one place outside ``cli`` where tradebot reads real time.

Everything else takes time as an argument or through a port: the kernel asks its
:class:`~tradebot.ports.Clock`, the pure packages are handed ``now``, and an adapter that
must stamp or measure real time takes a ``now``/``monotonic`` callable that defaults to the
functions below (a test hands in a manual clock instead, so nothing waits and nothing
depends on the machine's time). ``tests/unit/test_layering.py`` scans the source and fails
on a wall-clock read outside the modules it allows.

The wall clock is an outside system like a broker or a database, so it is an adapter: the
engine cannot import it (the layers contract in ``pyproject.toml``) and reaches time only
through the clock it was given.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tradebot.domain.timer import TimerEvent, TimerQueue

__all__ = ["LiveClock", "monotonic", "utc_now"]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC: for stamps that other processes compare
    (heartbeats, import times)."""
    return datetime.now(UTC)


def monotonic() -> float:
    """Seconds on a clock that never goes back: for intervals within one process (how long
    since the last renewal), which a wall-clock step must not stretch or shrink."""
    return time.monotonic()


class LiveClock:
    """The :class:`~tradebot.ports.Clock` of a live session: wall-clock time in UTC, and the
    timers the live event stream fires when the wall clock reaches them. ``advance_to``
    does nothing: live events arrive on time."""

    instant = False

    def __init__(self) -> None:
        self.timers = TimerQueue()

    def now(self) -> datetime:
        return utc_now()

    def advance_to(self, ts: datetime) -> None:
        return None

    def schedule(self, timer: TimerEvent) -> None:
        self.timers.schedule(timer)

    def cancel(self, key: str) -> None:
        self.timers.cancel(key)

    def interrupt(self) -> None:
        """Nothing waits on the clock itself (the live stream waits on its inbox)."""
