"""A token bucket per client address: the rate limit of the auth routes.

Pure: time is an argument (seconds on any clock that does not go back), so a test moves
it. Each key's bucket holds up to ``capacity`` tokens, refills at ``per_second`` and spends
one per request; an empty bucket answers how long until the next token. The buckets kept
are bounded (``max_keys``): when full, buckets that have refilled completely (they carry
no history worth keeping) are forgotten first, then the oldest.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

__all__ = ["TokenBucket"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBucket:
    def __init__(self, capacity: int, per_second: float, *, max_keys: int = 10_000) -> None:
        if capacity < 1 or per_second <= 0 or max_keys < 1:
            raise ValueError("a token bucket needs capacity >= 1, a positive rate and room")
        self.capacity = capacity
        self.per_second = per_second
        self._max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def per_minute(cls, rate: int, *, max_keys: int = 10_000) -> TokenBucket:
        """``rate`` requests a minute, in a burst of up to ``rate``."""
        return cls(rate, rate / 60.0, max_keys=max_keys)

    def take(self, key: str, now: float) -> float:
        """Spend a token of ``key`` at ``now``: 0.0 when allowed, else the seconds to wait."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                self._make_room(now)
                bucket = self._buckets[key] = _Bucket(float(self.capacity), now)
            elapsed = max(0.0, now - bucket.stamp)
            bucket.tokens = min(float(self.capacity), bucket.tokens + elapsed * self.per_second)
            bucket.stamp = max(bucket.stamp, now)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.per_second

    def retry_after(self, wait: float) -> int:
        """A Retry-After header's whole seconds for a wait (never 0: that would mean now)."""
        return max(1, math.ceil(wait))

    def __len__(self) -> int:
        return len(self._buckets)

    def _make_room(self, now: float) -> None:
        if len(self._buckets) < self._max_keys:
            return
        for key, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.stamp) * self.per_second >= self.capacity:
                del self._buckets[key]
        while len(self._buckets) >= self._max_keys:
            del self._buckets[next(iter(self._buckets))]
