"""A token bucket in front of every REST call (Alpaca allows 200 requests a minute).

The bucket is pure: it is told the time (a monotonic reading in seconds) and answers how
long the caller must wait, so a property test drives it with made-up clocks. The waiting
itself is :meth:`TokenBucket.acquire`'s, with an injectable ``sleep``.

Invariants (held by ``tests/unit/test_rate_limit.py``): over any window of ``w`` seconds
at most ``capacity + rate × w`` requests are granted; a request is never refused, only
delayed; time going backwards is treated as no time passing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tradebot.adapters.clock import monotonic

__all__ = ["TokenBucket"]


class TokenBucket:
    """``capacity`` tokens, refilled at ``per_minute / 60`` tokens a second."""

    def __init__(
        self,
        per_minute: float = 200.0,
        *,
        capacity: float | None = None,
        clock: Callable[[], float] = monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be > 0, not {per_minute}")
        self.rate = per_minute / 60.0
        self.capacity = float(capacity if capacity is not None else per_minute)
        if self.capacity < 1:
            raise ValueError(f"capacity must be >= 1, not {self.capacity}")
        self._tokens = self.capacity
        self._last: float | None = None
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def reserve(self, now: float) -> float:
        """Take one token at time ``now``; the seconds the caller must wait before using
        it (0 when one was there). A wait is a debt: later callers queue behind it."""
        behind = 0.0
        if self._last is None:
            self._last = now
        elif now > self._last:
            self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.rate)
            self._last = now
        else:  # a clock that stepped back: count from the latest time seen
            behind = self._last - now
        self._tokens -= 1.0
        return behind + (0.0 if self._tokens >= 0 else -self._tokens / self.rate)

    def acquire(self) -> float:
        """Block until a request may go out; the seconds waited."""
        with self._lock:
            wait = self.reserve(self._clock())
        if wait > 0:
            self._sleep(wait)
        return wait
