"""The per-event path: one ordered stream of events through the stages.

Inbound events are bars, articles, timer events, execution reports and operator commands,
each with its time. Under a simulated clock (:func:`simulated_events`) the stream is the
feed's bars and the news merged in time order, with the clock's timers and the queued
events (reports and commands that arrive between bars) slotted in. **Tie rule** at one
instant: execution reports, then operator commands, then articles, then bars, then timers.
So a fill reported at ``t`` is in the ledger before a bar stamped ``t`` is marked, an
article stamped ``t`` is known when that bar closes, and a duty due at ``t`` sees
every bar of ``t``. Under a live clock adapters push events into an :class:`Inbox` from
their own threads and :func:`live_events` drains it in arrival order, firing each timer
when the wall clock reaches it.

A *bar time* (every bar stamped ``t``) stays open until an event of a later time arrives
— a bar, a timer, a report or a command; an article between two bar times belongs to the
next one, as before. Closing it adds the equity curve's point and lets the decision stage
review its positions, so a duty or a fill at ``t + 3 s`` acts on the state after ``t``'s
review and before ``t + 1``'s bars. Timers and queued events are ordered and dispatched by
the same code in a backtest, a paced replay and a live session.
"""

from __future__ import annotations

import heapq
import itertools
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from tradebot.domain.bar import Bar
from tradebot.domain.messages import Article
from tradebot.domain.timer import TimerEvent
from tradebot.ports import Clock

__all__ = [
    "RANK_ARTICLE",
    "RANK_BAR",
    "RANK_COMMAND",
    "RANK_REPORT",
    "RANK_TIMER",
    "Inbox",
    "Queued",
    "event_time",
    "live_events",
    "simulated_events",
]

RANK_REPORT: Final = 0
RANK_COMMAND: Final = 1
RANK_ARTICLE: Final = 2
RANK_BAR: Final = 3
RANK_TIMER: Final = 4


@dataclass(frozen=True, slots=True)
class Queued:
    """An event that is not a bar, an article or a timer (an execution report, an operator
    command), with the time it counts at and its rank in the tie rule."""

    ts: datetime
    rank: int
    event: Any
    topic: str
    """Where the kernel publishes ``event``."""


Event = Bar | Article | TimerEvent | Queued


def event_time(event: Event) -> datetime:
    """When an event happened (an article: when it was published)."""
    if isinstance(event, Article):
        return event.published_at
    return event.ts


def _feed_order(event: Bar | Article) -> tuple[datetime, int]:
    if isinstance(event, Bar):
        return event.ts, RANK_BAR
    return event.published_at, RANK_ARTICLE


class Inbox:
    """Events waiting to be dispatched: pushed from any thread (an adapter's asyncio loop,
    a signal handler, a command poller), taken by the kernel's one thread.

    Under a simulated clock they are taken in time order with the tie rule, between the
    feed's events; under a live clock, in the order they arrived."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Queued] = queue.SimpleQueue()
        self._heap: list[tuple[datetime, int, int, Queued]] = []
        self._seq = itertools.count()

    def put(self, item: Queued) -> None:
        """Thread-safe."""
        self._queue.put(item)

    def get(self, timeout: float) -> Queued | None:
        """The next item in arrival order, waiting up to ``timeout`` seconds (live)."""
        if self._heap:
            return heapq.heappop(self._heap)[3]
        try:
            return self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
        except queue.Empty:
            return None

    def head(self) -> tuple[datetime, int] | None:
        """Time and rank of the earliest queued item (sim), or None when there is none."""
        if not self._queue.empty():
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                heapq.heappush(self._heap, (item.ts, item.rank, next(self._seq), item))
        if not self._heap:
            return None
        first = self._heap[0]
        return first[0], first[1]

    def pop(self) -> Queued:
        """The earliest queued item (after :meth:`head` said there is one)."""
        return heapq.heappop(self._heap)[3]


_END: Final = RANK_TIMER + 1
"""A rank after every other: ``(until, _END)`` lets everything at ``until`` through."""


def simulated_events(
    bars: Iterator[Bar],
    news: Iterator[Article] | None,
    clock: Clock,
    inbox: Inbox,
    *,
    until: datetime | None,
    holding: Callable[[datetime], bool] = lambda ts: False,
) -> Iterator[Event]:
    """The feed's bars and the news in time order with the clock's timers and the inbox's
    items slotted in by the tie rule; after the feed, the items queued and the timers due
    by ``until`` (with no ``until``, the queued items only). ``holding(ts)`` True keeps
    timers and items back before an event at ``ts`` (warm-up history, which only the
    strategies see)."""
    feed: Iterable[Bar | Article] = (
        bars if news is None else heapq.merge(news, bars, key=_feed_order)
    )
    timers = clock.timers
    for item in feed:
        if isinstance(item, Bar):
            ts, rank = item.ts, RANK_BAR
        else:
            ts, rank = item.published_at, RANK_ARTICLE
        if (timers.next_at is not None or inbox.head() is not None) and not holding(ts):
            yield from _before(ts, rank, clock, inbox)
        yield item
    while True:  # what falls due after the feed, up to the end of the run
        if until is not None:
            yield from _before(until, _END, clock, inbox)
        if inbox.head() is None:
            return
        yield inbox.pop()


def _before(ts: datetime, rank: int, clock: Clock, inbox: Inbox) -> Iterator[Event]:
    """Timers and queued items that come before an event at ``(ts, rank)``, in order (a
    handler may schedule or queue more; they are seen)."""
    timers = clock.timers
    limit = (ts, rank)
    while True:
        head = inbox.head()
        queued = head if head is not None and head < limit else None
        next_at = timers.next_at
        timed = (next_at, RANK_TIMER) if next_at is not None else None
        if timed is not None and timed >= limit:
            timed = None
        if queued is not None and (timed is None or queued <= timed):
            yield inbox.pop()
        elif timed is not None:
            timer = timers.pop_due(timed[0])
            assert timer is not None
            yield timer
        else:
            return


def live_events(
    clock: Clock,
    inbox: Inbox,
    stopping: Callable[[], bool],
    *,
    poll_s: float = 0.25,
    dropped: Callable[[Bar, str], None] | None = None,
    taken: dict[str, datetime] | None = None,
) -> Iterator[Event]:
    """Events as they arrive in ``inbox``, and each timer when the wall clock reaches it,
    until ``stopping()``; waits at most ``poll_s`` at a time so a stop is seen quickly.

    Bars and articles pushed by live adapters come out as themselves. A bar that repeats
    one already taken, or comes after a later bar time was taken (a lagging or reordered
    stream), is dropped and handed to ``dropped`` with why: a bar time, once closed, never
    reopens. ``taken``: each symbol's last bar time taken before (the warm-up history's)."""
    timers = clock.timers
    last: dict[str, datetime] = dict(taken or {})
    latest: datetime | None = max(last.values(), default=None)
    while not stopping():
        now = clock.now()
        timer = timers.pop_due(now)
        if timer is not None:
            yield timer
            continue
        next_at = timers.next_at
        wait = poll_s if next_at is None else min(poll_s, (next_at - now).total_seconds())
        item = inbox.get(timeout=max(wait, 0.0))
        if item is None:
            continue
        event = item.event
        if isinstance(event, Bar):
            seen = last.get(event.symbol)
            if seen is not None and event.ts <= seen:
                if dropped is not None:
                    dropped(event, "repeated" if event.ts == seen else "out of order")
                continue
            if latest is not None and event.ts < latest:
                if dropped is not None:
                    dropped(event, f"late: bar time {latest.isoformat()} already taken")
                continue
            last[event.symbol] = event.ts
            latest = event.ts
            yield event
        elif isinstance(event, Article):
            yield event
        else:
            yield item
