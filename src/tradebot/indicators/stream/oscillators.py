"""Streaming oscillators: RSI (Wilder) and the fast stochastic, O(1) per bar.

Both follow TA-Lib 0.8's code paths (``TA_RSI``, ``TA_STOCHF``), zero guards included, so the
streaming value equals the batch value to rounding (TA-Lib's compiled code may fuse a
multiply-add; Python cannot).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
from numpy.typing import NDArray

from tradebot.indicators._validate import TA_EPSILON, check_period

__all__ = ["RSI", "Stoch"]

FloatArray = NDArray[np.float64]

_NAN = math.nan
_NAN2 = (_NAN, _NAN)


class RSI:
    """Wilder's RSI over ``n`` bars; first value after ``n`` price changes (bar ``n``).

    Seed (TA-Lib): average gain and loss are the plain means of the first ``n`` changes;
    afterwards ``avg = (avg * (n - 1) + change) / n``. When both averages are exactly 0 (a
    market flat since the start) TA-Lib 0.8 reports 0, not 50, and so does this class; there
    is no epsilon band, so after a move the averages decay but the ratio lives on.
    """

    __slots__ = ("_count", "_gain", "_loss", "_n", "_n1", "_prev", "_ready")

    _count: int
    _gain: float
    _loss: float
    _prev: float
    _ready: bool

    def __init__(self, n: int = 14) -> None:
        self._n = check_period("n", n)
        self._n1 = self._n - 1
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._n

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._count = 0
        self._gain = 0.0
        self._loss = 0.0
        self._prev = _NAN
        self._ready = False

    def update(self, x: float) -> float:
        """Add one close; return the RSI in [0, 100] (NaN while warming up)."""
        change = x - self._prev
        self._prev = x
        if self._ready:
            gain = self._gain * self._n1
            loss = self._loss * self._n1
            if change < 0.0:
                loss -= change
            else:
                gain += change
            gain /= self._n
            loss /= self._n
        else:
            count = self._count
            self._count = count + 1
            if count == 0:
                return _NAN
            if change < 0.0:
                self._loss -= change
            else:
                self._gain += change
            if count < self._n:
                return _NAN
            gain = self._gain / self._n
            loss = self._loss / self._n
            self._ready = True
        self._gain = gain
        self._loss = loss
        total = gain + loss
        if total == 0.0:
            return 0.0
        return 100.0 * (gain / total)

    def update_many(self, values: FloatArray) -> FloatArray:
        """:meth:`update` for each of ``values`` in turn, bit for bit: Wilder's smoothing is
        a sequential recursion, so after the seed (through :meth:`update`) it runs as one
        local loop with the same operations in the same order, no method call per value."""
        xs: list[float] = np.asarray(values, dtype=np.float64).tolist()
        out: list[float] = []
        start = 0
        while start < len(xs) and not self._ready:  # the seed: n + 1 values at most
            out.append(self.update(xs[start]))
            start += 1
        if start == len(xs):
            return np.array(out, dtype=np.float64)
        n, n1 = self._n, self._n1
        prev, gain, loss = self._prev, self._gain, self._loss
        append = out.append
        for x in xs[start:]:
            change = x - prev
            prev = x
            gain = gain * n1
            loss = loss * n1
            if change < 0.0:
                loss -= change
            else:
                gain += change
            gain /= n
            loss /= n
            total = gain + loss
            append(0.0 if total == 0.0 else 100.0 * (gain / total))
        self._prev, self._gain, self._loss = prev, gain, loss
        return np.array(out, dtype=np.float64)


class Stoch:
    """Fast stochastic: %K over ``k`` bars and %D = SMA(``d``) of %K (TA-Lib ``STOCHF``).

    %K = 100 · (close − lowest low) / (highest high − lowest low), and 0 when the range is
    within 1e-14 of the prices' magnitude (TA-Lib 0.8 treats that as a flat window).
    As in TA-Lib both %K and %D stay NaN until %D exists (bar ``k + d - 2``). The rolling
    high and low come from monotonic deques (amortised O(1)); a value leaves its deque when
    the ring buffer says it has left the window and it is still at the front.
    """

    __slots__ = (
        "_count",
        "_d",
        "_d_buf",
        "_d_count",
        "_d_i",
        "_d_sum",
        "_highs",
        "_i",
        "_k",
        "_lows",
        "_max",
        "_min",
    )

    _count: int
    _d_buf: list[float]
    _d_count: int
    _d_i: int
    _d_sum: float
    _highs: list[float]
    _i: int
    _lows: list[float]
    _max: deque[float]
    _min: deque[float]

    def __init__(self, k: int = 14, d: int = 3) -> None:
        self._k = check_period("k", k)
        self._d = check_period("d", d)
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._k + self._d - 2

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._count = 0
        self._highs = [0.0] * self._k
        self._lows = [0.0] * self._k
        self._i = 0
        self._max = deque()
        self._min = deque()
        self._d_buf = [0.0] * self._d
        self._d_i = 0
        self._d_sum = 0.0
        self._d_count = 0

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Add one bar; return ``(%K, %D)`` (NaNs while warming up)."""
        i = self._i
        hmax = self._max
        lmin = self._min
        if self._count < self._k:
            self._count += 1
        else:
            if hmax[0] == self._highs[i]:
                hmax.popleft()
            if lmin[0] == self._lows[i]:
                lmin.popleft()
        self._highs[i] = high
        self._lows[i] = low
        i += 1
        self._i = 0 if i == self._k else i
        while hmax and hmax[-1] < high:
            hmax.pop()
        hmax.append(high)
        while lmin and lmin[-1] > low:
            lmin.pop()
        lmin.append(low)
        if self._count < self._k:
            return _NAN2
        lowest = lmin[0]
        highest = hmax[0]
        span = highest - lowest
        # TA-Lib 0.8's TA_IS_ZERO_SCALED: a range within 1e-14 of the prices' own magnitude
        # is a flat window (rounding residue), and a flat window reads 0.
        if span <= TA_EPSILON * (abs(highest) + abs(lowest)):
            fast_k = 0.0
        else:
            fast_k = (close - lowest) / (span / 100.0)
        # %D: SMA of %K with a running sum rebuilt exactly when its ring wraps.
        d_buf = self._d_buf
        j = self._d_i
        total = self._d_sum - d_buf[j] + fast_k
        d_buf[j] = fast_k
        j += 1
        if j == self._d:
            j = 0
            total = math.fsum(d_buf)
        self._d_i = j
        self._d_sum = total
        if self._d_count < self._d:
            self._d_count += 1
            if self._d_count < self._d:
                return _NAN2
        return (fast_k, total / self._d)
