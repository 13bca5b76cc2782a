"""Per-channel hourly rate limits (property 30 of seed 02).

The owner's phone must not buzz a hundred times because a feed flaps: each channel admits at
most ``per_hour[channel]`` sends in any sliding hour. A refused notification is not queued for
later — the dispatcher records it as ``rate_limited`` and moves on — so the limit is a cap on
noise, never a delay.

The window slides: a send at time ``t`` counts against every later ``now`` with
``now - t < 3600 s``. Keeping the times of the admitted sends in a deque per channel makes
that exact (no fixed hourly buckets that would allow twice the limit across a bucket edge)
and bounded (a deque never holds more than the channel's limit). Time is an argument, so the
limiter is pure and property-tested.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta

__all__ = ["WINDOW", "HourlyLimiter"]

WINDOW = timedelta(hours=1)


class HourlyLimiter:
    """At most ``per_hour[channel]`` admitted sends in any hour; a channel missing from the
    mapping is unlimited, a limit of 0 admits nothing.

    Times passed to :meth:`admit` are expected not to go backwards; one that does is read as
    the latest time seen (a clock stepping back must not reopen a full window). Thread-safe,
    so metrics may read :meth:`remaining` while the dispatcher's worker admits.
    """

    def __init__(self, per_hour: Mapping[str, int]) -> None:
        for channel, limit in per_hour.items():
            if limit < 0:
                raise ValueError(f"hourly limit of {channel!r} must not be negative: {limit}")
        self._limits = dict(per_hour)
        self._admitted: dict[str, deque[datetime]] = {
            channel: deque(maxlen=limit) for channel, limit in self._limits.items()
        }
        self._latest: datetime | None = None
        self._lock = threading.Lock()

    def admit(self, channel: str, now: datetime) -> bool:
        """Whether one more send on ``channel`` fits the last hour; counts it when it does."""
        limit = self._limits.get(channel)
        if limit is None:
            return True
        with self._lock:
            admitted = self._window(channel, now)
            if len(admitted) >= limit:
                return False
            admitted.append(self._clamp(now))
            return True

    def limit(self, channel: str) -> int | None:
        """The channel's hourly limit (``None``: unlimited)."""
        return self._limits.get(channel)

    def remaining(self, channel: str, now: datetime) -> int | None:
        """How many more sends ``channel`` would admit now (``None``: unlimited)."""
        limit = self._limits.get(channel)
        if limit is None:
            return None
        with self._lock:
            return limit - len(self._window(channel, now))

    def _window(self, channel: str, now: datetime) -> deque[datetime]:
        """The channel's admitted times within the hour before ``now`` (older ones evicted)."""
        now = self._clamp(now)
        admitted = self._admitted[channel]
        while admitted and now - admitted[0] >= WINDOW:
            admitted.popleft()
        return admitted

    def _clamp(self, now: datetime) -> datetime:
        if self._latest is None or now > self._latest:
            self._latest = now
        return self._latest
