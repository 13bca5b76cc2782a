"""``PollingNewsSource``: live pollers (RSS, Reddit) behind the ``NewsSource`` port.

Each round asks every poller for what is new at ``clock.now()``, drops stories already seen
(:class:`~tradebot.adapters.news.dedup.Deduplicator`), yields the rest oldest first, then
waits until the earliest poller is due. A poller that raises costs its own round only (one
log line). Articles are in ``published_at`` order within a round; a late publisher can hand
in an item older than one yielded in an earlier round, which the consumer sees when it
arrives, never before. Time comes from the injected clock; waiting from ``wait`` (default: an
event that :meth:`stop` sets, so stopping never waits out an interval).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from tradebot.adapters.news.dedup import Deduplicator
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger
from tradebot.ports import Clock

__all__ = ["Poller", "PollingNewsSource"]


@runtime_checkable
class Poller(Protocol):
    """A live news source polled with the time injected."""

    name: str

    def poll(self, now: datetime) -> list[Article]:
        """What is new at ``now`` (nothing when not due); never raises for a feed's sake."""
        ...

    def next_due(self) -> datetime | None:
        """When the next poll has work to do (``None``: now)."""
        ...


class PollingNewsSource:
    """:class:`~tradebot.ports.NewsSource` over pollers (see the module docstring)."""

    def __init__(
        self,
        pollers: Sequence[Poller],
        clock: Clock,
        *,
        dedup: Deduplicator | None = None,
        idle_s: float = 60.0,
        max_rounds: int | None = None,
        wait: Callable[[float], object] | None = None,
    ) -> None:
        if idle_s <= 0:
            raise ValueError(f"idle_s must be > 0, got {idle_s}")
        self._pollers = list(pollers)
        self._clock = clock
        self._dedup = dedup
        self._idle = timedelta(seconds=idle_s)
        self._max_rounds = max_rounds
        self._stopping = threading.Event()
        self._wait = wait if wait is not None else self._stopping.wait
        self._log = get_logger("news-fetcher")
        self.rounds = 0
        self.yielded = 0

    def stop(self) -> None:
        """End :meth:`articles` after the current round (wakes a waiting source)."""
        self._stopping.set()

    def articles(self) -> Iterator[Article]:
        while not self._stopping.is_set():
            if self._max_rounds is not None and self.rounds >= self._max_rounds:
                return
            now = self._clock.now()
            batch = self._poll_all(now)
            if self._dedup is not None:
                batch = self._dedup.fresh(batch, now)
            batch.sort(key=lambda article: article.published_at)
            self.rounds += 1
            self.yielded += len(batch)
            yield from batch
            self._sleep_until(self._next_wake(now))

    def _poll_all(self, now: datetime) -> list[Article]:
        batch: list[Article] = []
        for poller in self._pollers:
            try:
                batch.extend(poller.poll(now))
            except Exception as exc:  # one broken source must not stop the others
                self._log.error("news source failed", source=poller.name, error=repr(exc))
        return batch

    def _next_wake(self, now: datetime) -> datetime:
        dues = [poller.next_due() for poller in self._pollers]
        if any(due is None for due in dues):
            return now + timedelta(seconds=1)
        wake = min((due for due in dues if due is not None), default=now + self._idle)
        return min(max(wake, now + timedelta(seconds=1)), now + self._idle)  # never spin

    def _sleep_until(self, wake: datetime) -> None:
        if self._stopping.is_set() or (
            self._max_rounds is not None and self.rounds >= self._max_rounds
        ):
            return
        seconds = (wake - self._clock.now()).total_seconds()
        if seconds > 0:
            self._wait(seconds)
        self._clock.advance_to(wake)
