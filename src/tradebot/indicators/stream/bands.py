"""Streaming Bollinger bands: SMA middle band ± k population standard deviations.

The variance comes from running sums of deviations from a reference value that moves to the
latest price each time the ring buffer wraps, when both sums are rebuilt exactly with
``math.fsum``. Sums of raw squares would lose about half the digits to cancellation at a
price level of 100; shifted sums keep the variance accurate, and the periodic rebuild keeps
it from drifting over millions of bars.

One case defeats shifted sums too: a gap leaves the window and what remains is nearly flat,
so the rounding residue of the gap's large squares rivals the true variance. A bound kept
per update (the largest squared deviation since the last rebuild) detects that and triggers
an exact rebuild; it fires about twice per gap, so the cost stays amortised O(1) on price
series (on a million generated minute bars and 37 stocks' raw daily bars it never fired).

A window of identical values has variance exactly 0 (a run counter says so, whatever the
sums' rounding), as in TA-Lib 0.8, which has no epsilon band on the variance either.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tradebot.indicators._validate import check_multiplier, check_period

__all__ = ["Bollinger"]

FloatArray = NDArray[np.float64]

_NAN3 = (math.nan, math.nan, math.nan)
_CHUNK = 8192
"""Values per bulk step of ``Bollinger.update_many``: bounds the work thrown away when an
exact rebuild after a gap stops one; where rebuilds come every few dozen bars, the local
loop takes longer spans, so such data runs about as fast as ``update`` in a loop."""


class Bollinger:
    """Bollinger bands over ``n`` values with width ``k`` (population std, like BBANDS)."""

    __slots__ = (
        "_big",
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
        "_suspect",
    )

    _big: float
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
        # Rounding in the running sums since the last exact rebuild is at most about
        # 4 (n + 2) eps * big, big being the largest squared deviation added since. When
        # that could move a band by more than 1e-12 of the price, rebuild now (see update).
        self._suspect = self._k * 4.0 * (self._n + 2) * 2.3e-16 / 1e-12
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._n - 1

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._big = 0.0
        self._buf = []
        self._count = 0
        self._i = 0
        self._last = math.nan
        self._ref = 0.0
        self._run = 0
        self._sum1 = 0.0
        self._sum2 = 0.0

    def _rebuild(self, ref: float) -> None:
        """Exact sums of the window's deviations from ``ref`` (O(n), every n bars at most)."""
        self._ref = ref
        self._sum1, self._sum2, self._big = _exact_sums(self._buf, ref)

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
        sq_new = d_new * d_new
        if sq_new > self._big:
            self._big = sq_new
        self._sum1 += d_new - d_old
        self._sum2 += sq_new - d_old * d_old
        if x == self._last:
            self._run += 1
        else:
            self._run = 1
            self._last = x
        i += 1
        if i == n:
            i = 0
            self._rebuild(x)
        self._i = i
        if self._count < n:
            return _NAN3
        mean_dev = self._sum1 / n
        middle = self._ref + mean_dev
        if self._run >= n:
            return (middle, middle, middle)
        var = self._sum2 / n - mean_dev * mean_dev
        sd = math.sqrt(var) if var > 0.0 else 0.0
        if self._big * self._suspect > abs(middle) * sd:
            # A large deviation (a gap) has passed through a now-quiet window: the sums'
            # rounding residue could rival the variance, so recompute it exactly.
            self._rebuild(x)
            mean_dev = self._sum1 / n
            middle = self._ref + mean_dev
            var = self._sum2 / n - mean_dev * mean_dev
            sd = math.sqrt(var) if var > 0.0 else 0.0
        width = sd * self._k
        return (middle + width, middle, middle - width)

    def update_many(self, values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:meth:`update` for each of ``values`` in turn, as ``(upper, middle, lower)``
        columns, bit for bit and leaving the same state.

        Between two rebuilds the running sums are a plain recurrence, and each ring wrap
        starts afresh from exact sums; so, as in ``SMA.update_many``, the stretches between
        wraps advance together, one numpy step per bar of a stretch, with :meth:`update`'s
        float operations (:meth:`_bulk`). The one data-dependent event, the exact rebuild
        after a gap, cannot be foreseen: the bulk result is kept up to the first bar where
        it fires, and from there to the next wrap :meth:`update`'s body runs as a local
        loop (:meth:`_advance`), after which the bulk form resumes. The warm-up (``n``
        values at most) goes through :meth:`update` itself."""
        x = np.ascontiguousarray(values, dtype=np.float64)
        warm: tuple[list[float], list[float], list[float]] = ([], [], [])
        start = 0
        while start < len(x) and self._count < self._n:
            for col, value in zip(warm, self.update(float(x[start])), strict=True):
                col.append(value)
            start += 1
        pieces = [_columns(warm)]
        while start < len(x):  # in chunks: a rebuild wastes at most the rest of one
            done, bands = self._bulk(x[start : start + _CHUNK])
            pieces.append(bands)
            start += done
            if start < len(x):  # an exact rebuild at x[start]: the loop takes it
                loop: tuple[list[float], list[float], list[float]] = ([], [], [])
                # to the next wrap; when rebuilds come often (gap after gap), for longer
                span = self._n - self._i if done >= 16 * self._n else 64 * self._n
                self._advance(x[start : start + span].tolist(), loop)
                pieces.append(_columns(loop))
                start += span
        upper, middle, lower = (np.concatenate([p[j] for p in pieces]) for j in range(3))
        return upper, middle, lower

    def _bulk(self, x: FloatArray) -> tuple[int, tuple[FloatArray, FloatArray, FloatArray]]:
        """The warmed-up updates over ``x`` in bulk, up to (not including) the first bar
        where :meth:`update` would rebuild after a gap: how many were taken, their bands,
        and the state advanced past them. A rebuild check that fires at a wrap changes
        nothing (the wrap has just rebuilt from the same window and value), so only the
        ones between wraps stop the bulk form."""
        n, m = self._n, len(x)
        i0 = self._i
        ext = np.concatenate((np.array(self._buf[i0:] + self._buf[:i0]), x))  # ext[j]: dropped
        sums = _Sums(m)
        first_wrap = n - 1 - i0  # the step at which the ring wraps (i reaches n)
        sums.head(x, ext, min(first_wrap, m), self._ref, self._sum1, self._sum2, self._big)
        wraps = np.arange(first_wrap, m, n)
        if len(wraps):
            sums.stretches(x, ext, wraps, n)
        runs, changes = _equal_runs(x, self._last, self._run)
        mean_dev = sums.s1 / n
        middle = sums.ref + mean_dev
        var = sums.s2 / n - mean_dev * mean_dev
        positive = var > 0.0
        sd = np.where(positive, np.sqrt(np.where(positive, var, 1.0)), 0.0)
        flat = runs >= n
        between = np.ones(m, dtype=np.bool_)
        between[wraps] = False
        fires = np.flatnonzero(between & ~flat & (sums.big * self._suspect > np.abs(middle) * sd))
        done = int(fires[0]) if len(fires) else m
        width = sd * self._k
        upper = np.where(flat, middle, middle + width)[:done]
        lower = np.where(flat, middle, middle - width)[:done]
        if done:
            self._settle(ext, done, sums, runs, changes, x)
        return done, (upper, middle[:done], lower)

    def _settle(
        self,
        ext: FloatArray,
        done: int,
        sums: _Sums,
        runs: NDArray[np.int64],
        changes: NDArray[np.int64],
        x: FloatArray,
    ) -> None:
        """The state :meth:`update` leaves after the first ``done`` values of ``x``."""
        n, last = self._n, done - 1
        i = (self._i + done) % n
        window = ext[done : done + n].tolist()  # oldest first; the ring keeps it at i
        self._buf = window[n - i :] + window[: n - i] if i else window
        self._i = i
        self._ref, self._sum1 = float(sums.ref[last]), float(sums.s1[last])
        self._sum2, self._big = float(sums.s2[last]), float(sums.big[last])
        self._run = int(runs[last])
        if changes[last] >= 0:
            self._last = float(x[changes[last]])

    def _advance(self, xs: list[float], cols: tuple[list[float], list[float], list[float]]) -> None:
        """:meth:`update`'s warmed-up body over ``xs``, state in locals, appending the
        bands to ``cols``; every float operation as in :meth:`update`, in its order."""
        n, k, suspect, buf = self._n, self._k, self._suspect, self._buf
        i, ref, big, last, run = self._i, self._ref, self._big, self._last, self._run
        sum1, sum2 = self._sum1, self._sum2
        add_upper, add_middle, add_lower = (col.append for col in cols)
        sqrt = math.sqrt
        for x in xs:
            d_new = x - ref
            d_old = buf[i] - ref
            buf[i] = x
            sq_new = d_new * d_new
            if sq_new > big:
                big = sq_new
            sum1 += d_new - d_old
            sum2 += sq_new - d_old * d_old
            if x == last:
                run += 1
            else:
                run = 1
                last = x
            i += 1
            if i == n:
                i = 0
                ref = x
                sum1, sum2, big = _exact_sums(buf, ref)
            mean_dev = sum1 / n
            middle = ref + mean_dev
            if run >= n:
                add_upper(middle)
                add_middle(middle)
                add_lower(middle)
                continue
            var = sum2 / n - mean_dev * mean_dev
            sd = sqrt(var) if var > 0.0 else 0.0
            if big * suspect > abs(middle) * sd:  # see update: an exact rebuild
                ref = x
                sum1, sum2, big = _exact_sums(buf, ref)
                mean_dev = sum1 / n
                middle = ref + mean_dev
                var = sum2 / n - mean_dev * mean_dev
                sd = sqrt(var) if var > 0.0 else 0.0
            width = sd * k
            add_upper(middle + width)
            add_middle(middle)
            add_lower(middle - width)
        self._i, self._ref, self._big, self._last, self._run = i, ref, big, last, run
        self._sum1, self._sum2 = sum1, sum2


def _exact_sums(window: list[float], ref: float) -> tuple[float, float, float]:
    """Exact sum of the window's deviations from ``ref``, of their squares, and the largest
    square (a rebuild's three values, shared by both update paths)."""
    devs = [v - ref for v in window]
    squares = [d * d for d in devs]
    return math.fsum(devs), math.fsum(squares), max(squares)


def _columns(cols: tuple[list[float], list[float], list[float]]) -> tuple[FloatArray, ...]:
    """Three lists of band values as float64 columns."""
    return tuple(np.array(col, dtype=np.float64) for col in cols)


def _equal_runs(
    x: FloatArray, last: float, run: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The run counter :meth:`Bollinger.update` keeps after each of ``x`` (``last``,
    ``run``: carried in), and the index of the value that last started a run (-1: none
    in ``x``, the carried ``last`` still stands); integers, so exact in bulk."""
    m = len(x)
    previous = np.empty(m)
    previous[0] = last
    previous[1:] = x[:-1]
    index = np.arange(m, dtype=np.int64)
    changes = np.maximum.accumulate(np.where(x == previous, -1, index))
    runs = np.where(changes >= 0, index - changes + 1, run + index + 1)
    return runs, changes


class _Sums:
    """The running state after each step of a block, as columns: reference value, the two
    sums of deviations and the largest square since the last rebuild."""

    __slots__ = ("big", "ref", "s1", "s2")

    def __init__(self, m: int) -> None:
        self.ref, self.s1, self.s2, self.big = (np.empty(m) for _ in range(4))

    def head(
        self,
        x: FloatArray,
        ext: FloatArray,
        steps: int,
        ref: float,
        sum1: float,
        sum2: float,
        big: float,
    ) -> None:
        """The steps before the first wrap, from the carried state, one at a time (fewer
        than ``n``) with :meth:`Bollinger.update`'s operations."""
        added, dropped = x[:steps].tolist(), ext[:steps].tolist()
        for j, (value, old) in enumerate(zip(added, dropped, strict=True)):
            d_new = value - ref
            d_old = old - ref
            sq_new = d_new * d_new
            if sq_new > big:
                big = sq_new
            sum1 += d_new - d_old
            sum2 += sq_new - d_old * d_old
            self.ref[j], self.s1[j], self.s2[j], self.big[j] = ref, sum1, sum2, big

    def stretches(self, x: FloatArray, ext: FloatArray, wraps: NDArray[np.int64], n: int) -> None:
        """Each wrap's exact rebuild (``math.fsum`` per window: exact, so in any order) and
        the ``n - 1`` steps after it, as rows advanced one column (step) at a time with
        :meth:`Bollinger.update`'s operations; steps past the block are computed on
        clamped indices and dropped."""
        m = len(x)
        refs = x[wraps]
        devs = np.lib.stride_tricks.sliding_window_view(ext, n)[wraps + 1] - refs[:, None]
        squares = devs * devs
        sum1 = np.array([math.fsum(row) for row in devs.tolist()])
        sum2 = np.array([math.fsum(row) for row in squares.tolist()])
        big = squares.max(axis=1)
        self.ref[wraps], self.s1[wraps], self.s2[wraps], self.big[wraps] = refs, sum1, sum2, big
        steps = wraps[:, None] + np.arange(1, n)[None, :]
        inside = steps < m
        at = np.minimum(steps, m - 1)
        d_new = x[at] - refs[:, None]
        d_old = ext[at] - refs[:, None]
        sq_new = d_new * d_new
        step1 = d_new - d_old
        step2 = sq_new - d_old * d_old
        rows1, rows2 = np.empty_like(step1), np.empty_like(step2)
        for col in range(n - 1):
            sum1 = sum1 + step1[:, col]
            sum2 = sum2 + step2[:, col]
            rows1[:, col], rows2[:, col] = sum1, sum2
        rows_big = np.maximum.accumulate(np.concatenate((big[:, None], sq_new), axis=1), axis=1)
        where = steps[inside]
        self.ref[where] = np.broadcast_to(refs[:, None], steps.shape)[inside]
        self.s1[where], self.s2[where] = rows1[inside], rows2[inside]
        self.big[where] = rows_big[:, 1:][inside]
