"""A timer event: a duty that is due at a time, whether or not a bar arrives then; and the
queue of pending timers every clock holds.

Stages ask the clock for one (:meth:`tradebot.ports.Clock.schedule`) and get it back through
the kernel's event stream when its time comes, on its ``topic``. A timer's ``key`` names
it among the scheduled ones: scheduling a key again moves that timer, so a stage keeps at
most one pending timer per duty (the stale-price check of one symbol, say).

:class:`TimerQueue` is a heap ordered by time, then by scheduling order. Scheduling a key
that is pending replaces it (the old entry stays in the heap, marked dead, and is skipped
when it surfaces), so moving a timer costs one push. ``next_at`` is a plain attribute: the
kernel compares it with every event's time, and an attribute read is the cheapest way to
learn that no timer is due.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from datetime import datetime

__all__ = ["TimerEvent", "TimerQueue"]


@dataclass(frozen=True, slots=True)
class TimerEvent:
    ts: datetime
    """When it is due (UTC)."""
    topic: str
    """Where the kernel publishes it (each owner listens on its own topic)."""
    key: str
    """Unique among pending timers: scheduling the same key again replaces the first."""

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None or self.ts.utcoffset() is None:
            raise ValueError(f"timer {self.key!r}: ts must be timezone-aware UTC")


_Entry = tuple[datetime, int, TimerEvent]


class TimerQueue:
    """Timers by due time; at equal times the one scheduled first comes first."""

    __slots__ = ("_heap", "_live", "_seq", "next_at")

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._live: dict[str, int] = {}  # key -> sequence number of its pending entry
        self._seq = itertools.count()
        self.next_at: datetime | None = None
        """Due time of the earliest pending timer (None: nothing pending)."""

    def __len__(self) -> int:
        return len(self._live)

    def schedule(self, timer: TimerEvent) -> None:
        """Add ``timer``; a pending timer with the same key is replaced."""
        seq = next(self._seq)
        self._live[timer.key] = seq
        heapq.heappush(self._heap, (timer.ts, seq, timer))
        self._refresh()

    def cancel(self, key: str) -> None:
        """Forget the pending timer ``key`` (nothing happens if there is none)."""
        if self._live.pop(key, None) is not None:
            self._refresh()

    def pending(self, key: str) -> bool:
        return key in self._live

    def pop_due(self, until: datetime) -> TimerEvent | None:
        """The earliest pending timer due at or before ``until``, taken out; else None."""
        if self.next_at is None or self.next_at > until:
            return None
        _, _, timer = heapq.heappop(self._heap)
        del self._live[timer.key]
        self._refresh()
        return timer

    def _refresh(self) -> None:
        heap, live = self._heap, self._live
        while heap and live.get(heap[0][2].key) != heap[0][1]:
            heapq.heappop(heap)  # cancelled or replaced
        self.next_at = heap[0][0] if heap else None
