"""Real in-memory parts for the dispatcher's tests: channels with scripted behaviour, a
delivery log, hand-moved clocks and a poll helper (no sleeps, no mocks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tradebot.domain.notifications import (
    DeliveryError,
    DeliveryStatus,
    Notification,
    NotificationEvent,
    Severity,
)

T0 = datetime(2024, 3, 4, 9, 30, tzinfo=UTC)


def note(i: int, severity: Severity = Severity.WARNING) -> Notification:
    """The ``i``-th notification of a test (its title says which)."""
    return Notification(
        event=NotificationEvent.FEED_STALE,
        severity=severity,
        title=f"n{i}",
        body=f"body {i}",
        ts=T0 + timedelta(seconds=i),
        run_id="run-1",
        correlation_id=f"d-{i}",
    )


def poll(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Whether ``predicate`` became true within ``timeout`` seconds (checked every 5 ms)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return predicate()
        time.sleep(0.005)
    return True


class FakeClock:
    """Monotonic seconds moved by hand, and a wall clock that follows them."""

    def __init__(self) -> None:
        self.t = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.t

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.monotonic())

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.t += seconds


class Recording:
    """A channel that records what it sends. ``up=False``: it fails (a transient error);
    ``fail_first=N``: its first N attempts fail; ``error`` is what a failure raises."""

    def __init__(
        self,
        name: str,
        *,
        up: bool = True,
        fail_first: int = 0,
        error: Exception | None = None,
    ) -> None:
        self.name = name
        self.up = up
        self.fail_first = fail_first
        self.error: Exception = error if error is not None else DeliveryError(f"{name} down")
        self.sent: list[Notification] = []
        self.attempts = 0
        self.closed = 0

    def send(self, notification: Notification) -> None:
        self.attempts += 1
        if not self.up or self.attempts <= self.fail_first:
            raise self.error
        self.sent.append(notification)

    def close(self) -> None:
        self.closed += 1

    @property
    def titles(self) -> list[str]:
        return [n.title for n in self.sent]


class Blocking(Recording):
    """A channel whose sends wait until :attr:`release` is set (``entered`` says one began)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.entered = threading.Event()
        self.release = threading.Event()

    def send(self, notification: Notification) -> None:
        self.entered.set()
        self.release.wait(30)
        super().send(notification)


@dataclass
class Row:
    id: int
    notification: Notification
    channel: str
    status: DeliveryStatus
    error: str | None
    attempts: int = 0
    delivered_at: datetime | None = None
    history: list[DeliveryStatus] = field(default_factory=list)


class MemoryLog:
    """:class:`~tradebot.ports.DeliveryLog` in a list; ``broken=True`` makes it raise."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.broken = False
        self.closed = False
        self._lock = threading.Lock()

    def record(
        self, notification: Notification, channel: str, status: DeliveryStatus, error: str | None
    ) -> int:
        with self._lock:
            if self.broken:
                raise OSError("database is locked")
            row = Row(len(self.rows) + 1, notification, channel, status, error, history=[status])
            self.rows.append(row)
            return row.id

    def update(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str | None,
        attempts: int,
        delivered_at: datetime | None,
    ) -> None:
        with self._lock:
            if self.broken:
                raise OSError("database is locked")
            row = self.rows[delivery_id - 1]
            row.status, row.error, row.attempts = status, error, attempts
            row.delivered_at = delivered_at
            row.history.append(status)

    def flush(self) -> None:
        """Every call above writes at once: nothing to flush."""

    def close(self) -> None:
        self.closed = True

    def of(self, channel: str) -> list[Row]:
        with self._lock:
            return [row for row in self.rows if row.channel == channel]

    def statuses(self, channel: str) -> list[DeliveryStatus]:
        return [row.status for row in self.of(channel)]
