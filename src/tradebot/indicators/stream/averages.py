"""Streaming moving averages: SMA, EMA and MACD, one value per ``update``, O(1) per bar.

Each class reproduces TA-Lib's batch function value for value: the same warm-up length
(NaN until TA-Lib's first output), the same seeding and, for the recursive ones, the same
floating-point operations in the same order, so a strategy fed bar by bar sees exactly what
``tradebot.indicators.ema`` & co. return for the whole series.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from tradebot.indicators._validate import check_period

__all__ = ["EMA", "MACD", "SMA", "StreamingSMA"]

FloatArray = NDArray[np.float64]

_NAN = math.nan
_NAN3 = (_NAN, _NAN, _NAN)


class SMA:
    """Simple moving average of the last ``n`` values; NaN for the first ``n - 1``.

    A ring buffer holds the window and a running sum is updated with one subtraction and
    one addition. The sum is rebuilt exactly (``math.fsum``) each time the ring wraps, so
    rounding error cannot build up over millions of bars (amortised O(1)).
    """

    __slots__ = ("_buf", "_count", "_i", "_n", "_sum")

    _buf: list[float]
    _count: int
    _i: int
    _sum: float

    def __init__(self, n: int) -> None:
        self._n = check_period("n", n)
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._n - 1

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._buf = [0.0] * self._n
        self._i = 0
        self._sum = 0.0
        self._count = 0

    def update(self, x: float) -> float:
        """Add one value; return the average of the last ``n`` (NaN while warming up)."""
        buf = self._buf
        i = self._i
        total = self._sum - buf[i] + x
        buf[i] = x
        i += 1
        if i == self._n:
            i = 0
            total = math.fsum(buf)
        self._i = i
        self._sum = total
        if self._count < self._n:
            self._count += 1
            if self._count < self._n:
                return _NAN
        return total / self._n

    def update_many(self, values: FloatArray) -> FloatArray:
        """:meth:`update` for each of ``values`` in turn, vectorised, bit for bit.

        The running sum is a recurrence only between two rebuilds, and every rebuild starts
        afresh from ``fsum``; so the whole stretches between rebuilds are independent and
        are advanced together, one numpy step per bar of a stretch (``n - 1`` steps in all),
        with exactly the floating-point operations :meth:`update` performs; the partial
        stretches at either end take those operations one value at a time."""
        x = np.ascontiguousarray(values, dtype=np.float64)
        m, n = len(x), self._n
        out = np.full(m, _NAN)
        if m == 0:
            return out
        i0 = self._i
        ext = np.concatenate((self._buf[i0:] + self._buf[:i0], x))  # ext[j]: dropped at j
        first_wrap = n - 1 - i0  # update index at which the ring wraps (i reaches n)
        # before the first wrap: the running sum carried in, a few plain float steps
        total = self._sum
        for j in range(min(first_wrap, m)):
            total = (total - float(ext[j])) + float(ext[j + n])
            out[j] = total
        # whole stretches, wrap to wrap, as rows: column 0 is the rebuild (fsum), then each
        # column one update of every stretch at once, with update()'s two operations
        rows = max(0, (m - first_wrap) // n) if first_wrap < m else 0
        if rows:
            span = slice(first_wrap, first_wrap + rows * n)
            dropped = ext[span].reshape(rows, n)
            added = ext[first_wrap + n : first_wrap + n + rows * n].reshape(rows, n)
            sums = np.empty((rows, n))
            sums[:, 0] = _window_fsums(ext, n, np.arange(rows) * n + first_wrap + 1)
            for col in range(1, n):
                sums[:, col] = (sums[:, col - 1] - dropped[:, col]) + added[:, col]
            out[span] = sums.ravel()
        # the last, unfinished stretch: its rebuild, then plain float steps to the end
        tail = first_wrap + rows * n
        if first_wrap < m and tail < m:
            total = math.fsum(ext[tail + 1 : tail + 1 + n].tolist())
            out[tail] = total
            for j in range(tail + 1, m):
                total = (total - float(ext[j])) + float(ext[j + n])
                out[j] = total
        # state after the last update, as update() leaves it
        self._buf = ext[m : m + n].tolist()
        self._i = (i0 + m) % n
        if self._i:  # the ring order: oldest value at index _i
            self._buf = self._buf[n - self._i :] + self._buf[: n - self._i]
        self._sum = float(out[m - 1])
        warm = n - self._count  # updates still returning NaN
        self._count = min(n, self._count + m)
        out /= n
        if warm > 1:
            out[: min(warm - 1, m)] = _NAN
        return out


StreamingSMA = SMA
"""The name strategies imported before the full set existed; same class."""


def _window_fsums(values: FloatArray, n: int, starts: NDArray[np.intp]) -> FloatArray:
    """``math.fsum(values[s : s + n])`` for each ``s`` in ``starts``, bit for bit.

    ``fsum`` is the correctly rounded exact sum. When every value is a whole multiple of
    one power of two 2^-k and the scaled values stay far below 2^63 (prices: all of a
    block within a factor of a few hundred of each other), the exact sum is an int64 sum of
    the scaled values, and numpy's int-to-float conversion rounds it to nearest, ties to
    even — the same correctly rounded value — so the windows are summed in bulk. Anything
    else (wide ranges, huge or tiny magnitudes) takes ``fsum`` window by window."""
    magnitudes = np.abs(values)
    smallest, largest = float(magnitudes.min()), float(magnitudes.max())
    if smallest == 0.0 and largest > 0.0:  # zeros (a ring not yet full) are multiples of all
        smallest = float(magnitudes[magnitudes > 0].min())
    if largest > 0.0:
        lowest = int(np.frexp(smallest)[1])  # smallest in [2^(lowest-1), 2^lowest)
        k = 53 - lowest  # every value is a multiple of its ulp >= 2^(lowest-53) = 2^-k
        biggest = largest * 2.0**k
        if -1000 < k < 1000 and biggest * n < 2.0**62:
            scale = 2.0**k
            scaled = (values * scale).astype(np.int64)
            exact = scaled[starts].copy()
            for offset in range(1, n):  # n adds over the windows, not n values per window
                exact += scaled[starts + offset]
            sums: FloatArray = exact.astype(np.float64) / scale
            return sums
    windows = np.lib.stride_tricks.sliding_window_view(values, n)[starts]
    return np.array(list(map(math.fsum, windows.tolist())), dtype=np.float64)


class EMA:
    """Exponential moving average, k = 2 / (n + 1), seeded with the SMA of the first ``n``.

    That seed is TA-Lib's default (non-Metastock) convention; the first value appears at the
    ``n``-th update. The recursion is TA-Lib's ``((x - prev) * k) + prev``, bit for bit.
    """

    __slots__ = ("_count", "_k", "_n", "_prev", "_ready")

    _count: int
    _prev: float
    _ready: bool

    def __init__(self, n: int) -> None:
        self._n = check_period("n", n)
        self._k = 2.0 / (self._n + 1)
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._n - 1

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._count = 0
        self._prev = 0.0
        self._ready = False

    def update(self, x: float) -> float:
        """Add one value; return the current EMA (NaN while warming up)."""
        if self._ready:
            prev = self._prev
            prev = (x - prev) * self._k + prev
            self._prev = prev
            return prev
        self._prev += x  # the seed sum, in TA-Lib's order
        self._count += 1
        if self._count < self._n:
            return _NAN
        self._prev /= self._n
        self._ready = True
        return self._prev

    def update_many(self, values: FloatArray) -> FloatArray:
        """:meth:`update` for each of ``values`` in turn, bit for bit, without a method call
        per value: the recursion is inherently sequential (no exact vectorised form), so
        once seeded it runs as a local loop with the same operations in the same order."""
        xs: list[float] = np.asarray(values, dtype=np.float64).tolist()
        out: list[float] = []
        start = 0
        while start < len(xs) and not self._ready:  # the seed: at most n - 1 values
            out.append(self.update(xs[start]))
            start += 1
        prev, k = self._prev, self._k
        append = out.append
        for x in xs[start:]:
            prev = (x - prev) * k + prev
            append(prev)
        self._prev = prev
        return np.array(out, dtype=np.float64)


class MACD:
    """MACD line, signal line and histogram with TA-Lib's alignment.

    TA-Lib starts the fast EMA where the slow one starts: both are seeded at bar
    ``slow - 1``, the fast one with the SMA of the ``fast`` values ending there (not of the
    first ``fast`` values). The signal EMA is then seeded with the SMA of the first
    ``signal`` MACD values, so the first triple appears at bar ``slow + signal - 2``. As in
    TA-Lib, ``fast`` and ``slow`` are swapped when given the wrong way round.
    """

    __slots__ = (
        "_count",
        "_fast",
        "_fast_ema",
        "_k_fast",
        "_k_signal",
        "_k_slow",
        "_signal",
        "_signal_count",
        "_signal_ema",
        "_signal_ready",
        "_slow",
        "_slow_ema",
        "_slow_ready",
    )

    _count: int
    _fast_ema: float
    _slow_ema: float
    _signal_ema: float
    _signal_count: int
    _slow_ready: bool
    _signal_ready: bool

    def __init__(self, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        fast = check_period("fast", fast)
        slow = check_period("slow", slow)
        if slow < fast:
            fast, slow = slow, fast
        self._fast = fast
        self._slow = slow
        self._signal = check_period("signal", signal)
        self._k_fast = 2.0 / (fast + 1)
        self._k_slow = 2.0 / (slow + 1)
        self._k_signal = 2.0 / (self._signal + 1)
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (TA-Lib's lookback)."""
        return self._slow + self._signal - 2

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._count = 0
        self._fast_ema = 0.0
        self._slow_ema = 0.0
        self._signal_ema = 0.0
        self._signal_count = 0
        self._slow_ready = False
        self._signal_ready = False

    def update(self, x: float) -> tuple[float, float, float]:
        """Add one value; return ``(macd, signal, histogram)`` (NaNs while warming up)."""
        if self._slow_ready:
            slow = self._slow_ema
            slow = (x - slow) * self._k_slow + slow
            fast = self._fast_ema
            fast = (x - fast) * self._k_fast + fast
        else:
            count = self._count + 1
            self._count = count
            self._slow_ema += x
            if count > self._slow - self._fast:
                self._fast_ema += x
            if count < self._slow:
                return _NAN3
            slow = self._slow_ema / self._slow
            fast = self._fast_ema / self._fast
            self._slow_ready = True
        self._slow_ema = slow
        self._fast_ema = fast
        line = fast - slow
        if self._signal_ready:
            sig = self._signal_ema
            sig = (line - sig) * self._k_signal + sig
        else:
            self._signal_ema += line
            self._signal_count += 1
            if self._signal_count < self._signal:
                return _NAN3
            sig = self._signal_ema / self._signal
            self._signal_ready = True
        self._signal_ema = sig
        return (line, sig, line - sig)

    def update_many(self, values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """:meth:`update` for each of ``values`` in turn, as ``(macd, signal, histogram)``
        columns, bit for bit: the warm-up through :meth:`update`, then the three EMA
        recursions as one local loop (same operations, same order, no call per value)."""
        xs: list[float] = np.asarray(values, dtype=np.float64).tolist()
        start, rows = self._warm_up(xs)
        lines, sigs, hists = (
            (list(col) for col in zip(*rows, strict=True)) if rows else ([], [], [])
        )
        fast, slow, sig = self._fast_ema, self._slow_ema, self._signal_ema
        k_fast, k_slow, k_signal = self._k_fast, self._k_slow, self._k_signal
        add_line, add_sig, add_hist = lines.append, sigs.append, hists.append
        for x in xs[start:]:
            slow = (x - slow) * k_slow + slow
            fast = (x - fast) * k_fast + fast
            line = fast - slow
            sig = (line - sig) * k_signal + sig
            add_line(line)
            add_sig(sig)
            add_hist(line - sig)
        self._fast_ema, self._slow_ema, self._signal_ema = fast, slow, sig
        return (
            np.array(lines, dtype=np.float64),
            np.array(sigs, dtype=np.float64),
            np.array(hists, dtype=np.float64),
        )

    def histogram_many(self, values: FloatArray) -> FloatArray:
        """The histogram column of :meth:`update_many` alone, bit for bit and with the same
        state left behind: a histogram-cross strategy reads nothing else, and building the
        other two columns would cost it a third of the loop."""
        xs: list[float] = np.asarray(values, dtype=np.float64).tolist()
        start, rows = self._warm_up(xs)
        hists = [row[2] for row in rows]
        fast, slow, sig = self._fast_ema, self._slow_ema, self._signal_ema
        k_fast, k_slow, k_signal = self._k_fast, self._k_slow, self._k_signal
        add_hist = hists.append
        for x in xs[start:]:
            slow = (x - slow) * k_slow + slow
            fast = (x - fast) * k_fast + fast
            line = fast - slow
            sig = (line - sig) * k_signal + sig
            add_hist(line - sig)
        self._fast_ema, self._slow_ema, self._signal_ema = fast, slow, sig
        return np.array(hists, dtype=np.float64)

    def _warm_up(self, xs: list[float]) -> tuple[int, list[tuple[float, float, float]]]:
        """:meth:`update` over the leading values until the signal line is seeded (at most
        ``slow + signal - 2`` of them): how many it took and their triples."""
        rows: list[tuple[float, float, float]] = []
        while len(rows) < len(xs) and not self._signal_ready:
            rows.append(self.update(xs[len(rows)]))
        return len(rows), rows
