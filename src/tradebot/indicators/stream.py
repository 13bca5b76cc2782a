"""Streaming indicators: O(1) work and memory per bar, fed one value at a time."""

from __future__ import annotations

import math
from collections import deque

__all__ = ["StreamingSMA"]


class StreamingSMA:
    """Simple moving average over the last ``n`` values; NaN until ``n`` values were seen.

    The running sum is rebuilt exactly (``math.fsum``) every ``n`` updates so rounding error
    cannot accumulate over millions of bars.
    """

    __slots__ = ("_count", "_n", "_sum", "_window")

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("n must be >= 1")
        self._n = n
        self._window: deque[float] = deque(maxlen=n)
        self._sum = 0.0
        self._count = 0

    def update(self, value: float) -> float:
        window = self._window
        if len(window) == self._n:
            self._sum -= window[0]
        window.append(value)
        self._sum += value
        self._count += 1
        if self._count % self._n == 0:
            self._sum = math.fsum(window)
        if len(window) < self._n:
            return math.nan
        return self._sum / self._n
