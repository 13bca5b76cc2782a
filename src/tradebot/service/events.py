""":class:`EventHub`: every engine event of this process, numbered, kept a while, fanned out.

The kernel's thread (or a backtest's monitor, or a route) calls :meth:`EventHub.publish`
from any thread: the message gets the next sequence number under a lock, goes into a ring
buffer of the last ``capacity`` messages, and is handed to the asyncio loop bound by
:meth:`EventHub.bind_loop` (``loop.call_soon_threadsafe``), which puts it in each
subscriber's queue. Publishing never waits on a subscriber: a subscriber whose queue is
full is dropped with a close reason (its client reconnects and asks for what it missed).

A subscriber says the last sequence number it saw (``since``): it gets the buffered
messages after it, then every new one, each exactly once and in order. When the buffer no
longer holds the message after ``since`` (or ``since`` is from another process) it is told
to reload (``reset``) instead.

Numbering: each hub counts up from an origin taken from the wall clock when it is made —
microseconds since the Unix epoch — not from 1. A client that reconnects to a restarted
server with the ``since`` of the previous process then holds a number below the new hub's
first message and is answered ``reset``: numbering from 1, its ``since=5`` would have been
answered with the new process's 6 and 7, silently skipping the new 1-5. This holds while a
process publishes fewer messages than microseconds pass before the next one starts (a
million a second), and while the wall clock does not step back across the restart. The
numbers stay below 2**53 (exact in JavaScript) for two centuries. Order on the wire is
kept as well: a message is handed to the loop under the lock that numbered it, so the loop
receives them in number order whatever threads publish.

Message kinds: ``fill``, ``order``, ``decision``, ``signal``, ``news`` (scored),
``portfolio`` (value, cash, positions value after each bar or fill), ``status`` (engine
state changes and command outcomes), ``backtest`` (a background backtest's progress).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

from tradebot.adapters.clock import utc_now

__all__ = [
    "KINDS",
    "SLOW_SUBSCRIBER",
    "Backlog",
    "EventHub",
    "HubMessage",
    "Kind",
    "Subscription",
    "sequence_origin",
]

Kind = Literal["fill", "order", "decision", "signal", "news", "portfolio", "status", "backtest"]
KINDS: Final[tuple[str, ...]] = (
    "fill",
    "order",
    "decision",
    "signal",
    "news",
    "portfolio",
    "status",
    "backtest",
)
SLOW_SUBSCRIBER: Final = "too slow: messages were piling up; reconnect with since"
DEFAULT_QUEUE: Final = 1000
"""Messages one subscriber may have waiting before it is dropped."""


@dataclass(frozen=True, slots=True)
class HubMessage:
    """One numbered message (``data`` is JSON-ready: strings for money, ISO times)."""

    seq: int
    kind: str
    ts: datetime
    run_id: str | None
    data: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "ts": self.ts.isoformat(),
            "run_id": self.run_id,
            "data": dict(self.data),
        }


@dataclass(frozen=True, slots=True)
class Backlog:
    """What a subscriber missed: the buffered messages after its ``since`` (in order), or
    ``reset`` when they are no longer all buffered (reload, then stream)."""

    messages: tuple[HubMessage, ...]
    reset: bool
    latest: int


@dataclass(slots=True, eq=False)
class Subscription:
    """One subscriber's queue, filled on the hub's loop. :meth:`get` returns None once the
    subscription is closed (``closed`` then says why)."""

    queue: asyncio.Queue[HubMessage | None]
    after: int
    """Messages up to this number came with the backlog: never delivered again."""
    closed: str | None = None
    _hub: EventHub | None = field(default=None, repr=False)

    async def get(self) -> HubMessage | None:
        if self.closed is not None and self.queue.empty():
            return None
        return await self.queue.get()

    def close(self) -> None:
        if self._hub is not None:
            self._hub.unsubscribe(self)


class EventHub:
    """Sequenced, buffered fan-out of engine events to asyncio subscribers (module doc)."""

    def __init__(self, capacity: int, *, queue_size: int = DEFAULT_QUEUE) -> None:
        if capacity < 1 or queue_size < 1:
            raise ValueError("an event hub keeps at least one message per buffer")
        self.capacity = capacity
        self._queue_size = queue_size
        self._lock = threading.Lock()
        self._buffer: deque[HubMessage] = deque(maxlen=capacity)
        self._seq = sequence_origin(utc_now())
        self.origin = self._seq
        """The number before this hub's first message (module docstring: numbering)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: set[Subscription] = set()

    @property
    def latest(self) -> int:
        """The last sequence number given (:attr:`origin`: nothing published yet)."""
        with self._lock:
            return self._seq

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Deliver to subscribers on ``loop`` (default: the running loop; the app's
        lifespan calls it). Subscribers of a previous loop are dropped."""
        bound = loop if loop is not None else asyncio.get_running_loop()
        with self._lock:
            self._loop = bound
            stale, self._subscribers = self._subscribers, set()
        for sub in stale:
            sub.closed = sub.closed or "the server restarted its event loop"

    def publish(
        self, kind: str, data: Mapping[str, Any], *, run_id: str | None = None
    ) -> HubMessage:
        """Number, keep and fan out one message (any thread; never blocks on a subscriber)."""
        with self._lock:
            self._seq += 1
            message = HubMessage(self._seq, kind, utc_now(), run_id, data)
            self._buffer.append(message)
            # Handed to the loop under the lock that numbered it: two publishing threads
            # cannot hand over N+1 before N (it only appends to the loop's queue and writes
            # to its wake-up pipe, never waiting on a subscriber).
            if self._loop is not None and self._subscribers:
                with contextlib.suppress(RuntimeError):  # a closed loop: the app shuts down
                    self._loop.call_soon_threadsafe(self._deliver, message)
        return message

    def recent(self, since: int | None = None) -> Backlog:
        """The buffered messages after ``since`` (all buffered ones for None)."""
        with self._lock:
            if since is None:
                return Backlog(tuple(self._buffer), False, self._seq)
            return self._backlog(since)

    def subscribe(self, since: int | None) -> tuple[Backlog, Subscription]:
        """A new subscription on the bound loop (call it there), with what it missed since
        ``since`` (None: nothing, only what comes next)."""
        queue: asyncio.Queue[HubMessage | None] = asyncio.Queue(self._queue_size)
        with self._lock:
            backlog = Backlog((), False, self._seq) if since is None else self._backlog(since)
            sub = Subscription(queue, after=self._seq, _hub=self)
            self._subscribers.add(sub)
        return backlog, sub

    def unsubscribe(self, sub: Subscription, reason: str = "closed") -> None:
        with self._lock:
            self._subscribers.discard(sub)
        if sub.closed is None:
            sub.closed = reason

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _backlog(self, since: int) -> Backlog:
        """(Under the lock.) Messages after ``since``, or reset when some are gone."""
        latest = self._seq
        if since > latest or since < 0:
            return Backlog((), True, latest)
        if since == latest:
            return Backlog((), False, latest)
        oldest = self._buffer[0].seq if self._buffer else latest + 1
        if since + 1 < oldest:
            return Backlog((), True, latest)
        skip = since + 1 - oldest
        return Backlog(tuple(list(self._buffer)[skip:]), False, latest)

    def _deliver(self, message: HubMessage) -> None:
        """(On the loop.) Into every subscriber's queue; a full one is dropped."""
        with self._lock:
            subscribers = list(self._subscribers)
        for sub in subscribers:
            if message.seq <= sub.after or sub.closed is not None:
                continue
            try:
                sub.queue.put_nowait(message)
            except asyncio.QueueFull:
                self.unsubscribe(sub, SLOW_SUBSCRIBER)
                _wake(sub)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def sequence_origin(now: datetime) -> int:
    """Microseconds since the Unix epoch at ``now``: where a hub made then starts counting
    (module docstring: numbering)."""
    return (now - _EPOCH) // _MICROSECOND


def _wake(sub: Subscription) -> None:
    """Make a dropped subscriber's pending ``get`` return None at once."""
    while not sub.queue.empty():
        sub.queue.get_nowait()
    sub.queue.put_nowait(None)
