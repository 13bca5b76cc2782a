"""Streaming range indicators: ATR and ADX with Wilder smoothing, O(1) per bar.

Both follow TA-Lib's code (``TA_ATR``, ``TA_ADX``) operation for operation, seeds included,
so the streaming value equals the batch value bit for bit.
"""

from __future__ import annotations

import math

from tradebot.indicators._validate import check_period

__all__ = ["ADX", "ATR"]

_NAN = math.nan


class ATR:
    """Average true range over ``n`` bars (Wilder); first value at bar ``n``.

    True range needs the previous close, so bar 0 has none; the seed is the plain mean of
    the true ranges of bars 1..n, then ``atr = (atr * (n - 1) + tr) / n``.
    """

    __slots__ = ("_atr", "_count", "_n", "_n1", "_prev_close", "_ready")

    _atr: float
    _count: int
    _prev_close: float
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
        self._atr = 0.0
        self._count = 0
        self._prev_close = _NAN
        self._ready = False

    def update(self, high: float, low: float, close: float) -> float:
        """Add one bar; return the ATR (NaN while warming up)."""
        prev_close = self._prev_close
        self._prev_close = close
        tr = high - low
        other = abs(prev_close - high)
        if other > tr:
            tr = other
        other = abs(prev_close - low)
        if other > tr:
            tr = other
        if self._ready:
            atr = (self._atr * self._n1 + tr) / self._n
            self._atr = atr
            return atr
        count = self._count
        self._count = count + 1
        if count == 0:
            return _NAN
        self._atr += tr
        if count < self._n:
            return _NAN
        self._atr /= self._n
        self._ready = True
        return self._atr


class ADX:
    """Average directional index over ``n`` bars (Wilder); first value at bar ``2n - 1``.

    TA-Lib's seeding: +DM, −DM and TR are summed over bars 1..n−1; from bar ``n`` on each is
    smoothed as ``s - s / n + value``; the DX of bars n..2n−1 are averaged into the first
    ADX, then ``adx = (adx * (n - 1) + dx) / n``. When the smoothed true range or the DI sum
    is exactly 0 (a flat market) the bar's DX is skipped: it counts as 0 in the seed and
    leaves the ADX unchanged afterwards. TA-Lib 0.8 has no epsilon band here.
    """

    __slots__ = (
        "_adx",
        "_count",
        "_minus_dm",
        "_n",
        "_n1",
        "_plus_dm",
        "_prev_close",
        "_prev_high",
        "_prev_low",
        "_ready",
        "_sum_dx",
        "_tr",
    )

    _adx: float
    _count: int
    _minus_dm: float
    _plus_dm: float
    _prev_close: float
    _prev_high: float
    _prev_low: float
    _ready: bool
    _sum_dx: float
    _tr: float

    def __init__(self, n: int = 14) -> None:
        self._n = check_period("n", n)
        self._n1 = self._n - 1
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return 2 * self._n - 1

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._adx = 0.0
        self._count = 0
        self._minus_dm = 0.0
        self._plus_dm = 0.0
        self._prev_close = _NAN
        self._prev_high = _NAN
        self._prev_low = _NAN
        self._ready = False
        self._sum_dx = 0.0
        self._tr = 0.0

    def update(self, high: float, low: float, close: float) -> float:
        """Add one bar; return the ADX in [0, 100] (NaN while warming up)."""
        if not self._ready:
            return self._warm_up(high, low, close)
        diff_p = high - self._prev_high
        diff_m = self._prev_low - low
        prev_close = self._prev_close
        self._prev_high = high
        self._prev_low = low
        self._prev_close = close
        tr = high - low
        other = abs(high - prev_close)
        if other > tr:
            tr = other
        other = abs(low - prev_close)
        if other > tr:
            tr = other
        n = self._n
        minus_dm = self._minus_dm
        minus_dm -= minus_dm / n
        plus_dm = self._plus_dm
        plus_dm -= plus_dm / n
        if diff_m > 0.0 and diff_p < diff_m:
            minus_dm += diff_m
        elif diff_p > 0.0 and diff_p > diff_m:
            plus_dm += diff_p
        smoothed_tr = self._tr
        smoothed_tr = smoothed_tr - smoothed_tr / n + tr
        self._minus_dm = minus_dm
        self._plus_dm = plus_dm
        self._tr = smoothed_tr
        if smoothed_tr != 0.0:
            minus_di = 100.0 * (minus_dm / smoothed_tr)
            plus_di = 100.0 * (plus_dm / smoothed_tr)
            di_sum = minus_di + plus_di
            if di_sum != 0.0:
                dx = 100.0 * (abs(minus_di - plus_di) / di_sum)
                self._adx = (self._adx * self._n1 + dx) / n
        return self._adx

    def _warm_up(self, high: float, low: float, close: float) -> float:
        """Bars 0..2n-1: TA-Lib's seeding (plain sums, then smoothed sums and a DX mean)."""
        diff_p = high - self._prev_high
        diff_m = self._prev_low - low
        self._prev_high = high
        self._prev_low = low
        prev_close = self._prev_close
        self._prev_close = close
        count = self._count
        self._count = count + 1
        if count == 0:
            return _NAN
        tr = high - low
        other = abs(high - prev_close)
        if other > tr:
            tr = other
        other = abs(low - prev_close)
        if other > tr:
            tr = other
        n = self._n
        minus_dm = self._minus_dm
        plus_dm = self._plus_dm
        if count >= n:  # bars n..2n-1: Wilder smoothing starts
            minus_dm -= minus_dm / n
            plus_dm -= plus_dm / n
            tr = self._tr - self._tr / n + tr
        else:  # bars 1..n-1: plain sums
            tr = self._tr + tr
        if diff_m > 0.0 and diff_p < diff_m:
            minus_dm += diff_m
        elif diff_p > 0.0 and diff_p > diff_m:
            plus_dm += diff_p
        self._minus_dm = minus_dm
        self._plus_dm = plus_dm
        self._tr = tr
        if count < n:
            return _NAN
        if tr != 0.0:
            minus_di = 100.0 * (minus_dm / tr)
            plus_di = 100.0 * (plus_dm / tr)
            di_sum = minus_di + plus_di
            if di_sum != 0.0:
                self._sum_dx += 100.0 * (abs(minus_di - plus_di) / di_sum)
        if count < 2 * n - 1:
            return _NAN
        self._adx = self._sum_dx / n
        self._ready = True
        return self._adx
