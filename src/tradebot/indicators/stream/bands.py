"""Streaming Bollinger bands: SMA middle band ± k population standard deviations.

The variance comes from running sums of deviations from a reference value that is moved to
the latest price each time the ring buffer wraps, when both sums are rebuilt exactly with
``math.fsum``. Sums of raw squares would lose about half the digits to cancellation on a
price level of 100; shifted sums keep the variance accurate, and the periodic rebuild keeps
it from drifting over millions of bars. A window of identical values has variance exactly
0, and, as in TA-Lib, a variance below 1e-14 counts as 0.
"""

from __future__ import annotations

import math

from tradebot.indicators._validate import TA_EPSILON, check_multiplier, check_period

__all__ = ["Bollinger"]

_NAN3 = (math.nan, math.nan, math.nan)


class Bollinger:
    """Bollinger bands over ``n`` values with width ``k`` (population std, like BBANDS)."""

    __slots__ = (
        "_buf",
        "_count",
        "_i",
        "_k",
        "_last",
        "_n",
        "_ref",
        "_run",
        "_sum1",
        "_sum2",
    )

    _buf: list[float]
    _count: int
    _i: int
    _last: float
    _ref: float
    _run: int
    _sum1: float
    _sum2: float

    def __init__(self, n: int = 20, k: float = 2.0) -> None:
        self._n = check_period("n", n)
        self._k = check_multiplier("k", k)
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._n - 1

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._buf = []
        self._count = 0
        self._i = 0
        self._last = math.nan
        self._ref = 0.0
        self._run = 0
        self._sum1 = 0.0
        self._sum2 = 0.0

    def update(self, x: float) -> tuple[float, float, float]:
        """Add one value; return ``(upper, middle, lower)`` (NaNs while warming up)."""
        n = self._n
        if self._count < n:
            if self._count == 0:
                # Slots not yet filled hold the reference value: they add 0 to both sums.
                self._ref = x
                self._buf = [x] * n
            self._count += 1
        buf = self._buf
        i = self._i
        ref = self._ref
        d_new = x - ref
        d_old = buf[i] - ref
        buf[i] = x
        sum1 = self._sum1 + d_new - d_old
        sum2 = self._sum2 + d_new * d_new - d_old * d_old
        if x == self._last:
            self._run += 1
        else:
            self._run = 1
            self._last = x
        i += 1
        if i == n:
            i = 0
            self._ref = ref = x
            sum1 = math.fsum([v - ref for v in buf])
            sum2 = math.fsum([(v - ref) * (v - ref) for v in buf])
        self._i = i
        self._sum1 = sum1
        self._sum2 = sum2
        if self._count < n:
            return _NAN3
        mean_dev = sum1 / n
        middle = ref + mean_dev
        var = sum2 / n - mean_dev * mean_dev
        if var < TA_EPSILON or self._run >= n:
            return (middle, middle, middle)
        width = math.sqrt(var) * self._k
        return (middle + width, middle, middle - width)
