"""Volume profile (``volume_profile``): fade the edges of the value area back to the POC.

Idea: over the last ``window`` bars, the price where most volume traded (the point of
control, POC) acts as a magnet, and the edges of the value area — the price range around the
POC holding ``value_area`` of the volume — act as support (VAL) and resistance (VAH). The
profile bins each bar's volume at its typical price (h+l+c)/3 into ``bins`` equal bins between
the window's lowest and highest typical price, and grows the value area from the POC one bin
at a time towards the heavier neighbour (ties go down). It is built from the bars *before*
the current one, which is then compared with it. Entry: LONG when the close, having been
below the VAL, comes back into the value area at or below the POC (a VAL bounce). Exit:
SHORT when the close, having been above the VAH, comes back into the value area at or above
the POC (a VAH rejection); a re-entry on the far side of the POC clears the setup silently.
Strength: 0.5 plus half the remaining room to the POC as a fraction of the edge-to-POC
distance (1.0 right at the edge); confidence a fixed 0.6. Cost: O(window + bins) per bar (numpy
binning of a ring buffer, about 10 µs at the defaults) — the one built-in that is not O(1),
bounded by the fixed window. The kernel's batch path takes the bulk hook ``on_bars``
instead: thousands of windows binned by one ``bincount`` and their value areas grown
together (:func:`profiles`), with the same floats added in the same order as the streaming
path, so both give identical opinions (a property test holds them to it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from tradebot.domain.bar import Bar
from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams

__all__ = ["VolumeProfile", "VolumeProfileParams", "histograms", "profiles", "value_area"]

_CONFIDENCE = 0.6
_FLAT = 1e-12
_CHUNK = 2048
"""Windows binned at once by the bulk hook (bounds its memory: 2048 × window floats)."""


class VolumeProfileParams(StrategyParams):
    window: int = Field(default=100, ge=10, le=5000, description="bars in the rolling profile")
    bins: int = Field(default=50, ge=5, le=500, description="price bins of the profile")
    value_area: float = Field(
        default=0.70, gt=0, lt=1, description="share of volume inside the value area"
    )


def value_area(
    prices: NDArray[np.float64], volumes: NDArray[np.float64], bins: int, share: float
) -> tuple[float, float, float] | None:
    """(POC, VAL, VAH) of the volume profile, or None for a flat or volume-less window.

    The order of the samples does not matter (a ring buffer is fine): they are binned, and
    only the bins' totals count.
    """
    lo = float(prices.min())
    hi = float(prices.max())
    if hi - lo <= _FLAT * hi:
        return None
    index = ((prices - lo) * (bins / (hi - lo))).astype(np.intp)
    np.minimum(index, bins - 1, out=index)
    hist: list[float] = np.bincount(index, weights=volumes, minlength=bins).tolist()
    return _levels(hist, lo, hi, share)


def _levels(
    hist: list[float], lo: float, hi: float, share: float
) -> tuple[float, float, float] | None:
    """The value area of a binned profile between ``lo`` and ``hi``: grown from the POC one
    bin at a time towards the heavier neighbour (ties go down) until it holds ``share``."""
    total = 0.0
    for count in hist:  # left to right, as np.cumsum adds in :func:`profiles`
        total += count
    if total <= 0.0:
        return None
    bins = len(hist)
    last = bins - 1
    poc = hist.index(max(hist))
    target = total * share
    low = high = poc
    acc = hist[poc]
    while acc < target and (low > 0 or high < last):
        below = hist[low - 1] if low > 0 else -1.0
        above = hist[high + 1] if high < last else -1.0
        if below >= above:
            low -= 1
            acc += below
        else:
            high += 1
            acc += above
    width = (hi - lo) / bins
    return lo + (poc + 0.5) * width, lo + low * width, lo + (high + 1) * width


def profiles(
    prices: NDArray[np.float64],
    volumes: NDArray[np.float64],
    first: int,
    window: int,
    bins: int,
    share: float,
) -> list[tuple[float, float, float] | None]:
    """:func:`value_area` of every full window at once, bit for bit.

    ``prices``/``volumes`` are consecutive samples, the first being sample number ``first``
    of the stream; row ``k`` is the window before sample ``first + window + k``. Each window
    is binned in the order the streaming ring buffer holds it (sample ``s`` in slot
    ``s % window``) by one ``bincount`` over all rows, so every bin adds the same volumes
    in the same order as the streaming path and the totals are the same floats.
    """
    rows = len(prices) - window
    if rows <= 0:
        return []
    out: list[tuple[float, float, float] | None] = [None] * rows
    rows_full, lo_f, hi_f, hist = histograms(prices, volumes, first, window, bins)
    if not len(rows_full):
        return out
    levels = _levels_many(hist, lo_f, hi_f, share)
    for row, level in zip(rows_full.tolist(), levels, strict=True):
        out[row] = level
    return out


def histograms(
    prices: NDArray[np.float64], volumes: NDArray[np.float64], first: int, window: int, bins: int
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The binned profile of every window of :func:`profiles` that is not flat: the rows'
    numbers, their lowest and highest price, and one histogram per row — each bin's
    volumes added in ring-buffer order by one ``bincount`` over all rows, so the totals
    are the streaming path's floats."""
    rows = len(prices) - window
    if rows <= 0:
        empty = np.zeros(0, dtype=np.float64)
        return np.zeros(0, dtype=np.intp), empty, empty, np.zeros((0, bins), dtype=np.float64)
    take = _RingOrder(first, window, rows)
    ring, ring_volumes = take(prices), take(volumes)
    lo = ring.min(axis=1)
    hi = ring.max(axis=1)
    rows_full = np.flatnonzero(~(hi - lo <= _FLAT * hi))
    lo_f, hi_f = lo[rows_full], hi[rows_full]
    scale = bins / (hi_f - lo_f)
    index = ((ring[rows_full] - lo_f[:, None]) * scale[:, None]).astype(np.intp)
    np.minimum(index, bins - 1, out=index)
    index += (np.arange(len(rows_full), dtype=np.intp) * bins)[:, None]
    weights = ring_volumes[rows_full].ravel()
    counted = np.bincount(index.ravel(), weights=weights, minlength=len(rows_full) * bins)
    hist = np.asarray(counted, dtype=np.float64).reshape(len(rows_full), bins)
    return rows_full, lo_f, hi_f, hist


class _RingOrder:
    """Every window of a stretch of samples, in the order the streaming ring buffer holds
    it (sample ``s`` in slot ``s % window``), as rows of one array.

    The samples are laid out on a grid of whole ring cycles (row ``q``, column = slot), so
    the window before sample ``e`` is, slot by slot, the current cycle's sample for the
    slots already overwritten (``slot < e % window``) and the previous cycle's for the rest:
    two row gathers and one select, where a per-element index (a modulo per element and a
    fancy gather) cost three times as much."""

    __slots__ = ("_cycle", "_newer", "_offset", "_window")

    def __init__(self, first: int, window: int, rows: int) -> None:
        self._offset = first % window  # grid column of the stretch's first sample
        self._window = window
        ends = np.arange(rows, dtype=np.intp) + self._offset + window  # on the grid
        self._cycle = ends // window
        slots = np.arange(window, dtype=np.intp)
        self._newer = slots[None, :] < (ends % window)[:, None]

    def __call__(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        window, offset = self._window, self._offset
        cycles = int(self._cycle[-1]) + 1
        grid = np.zeros(cycles * window, dtype=np.float64)
        grid[offset : offset + len(values)] = values[: cycles * window - offset]
        laid = grid.reshape(cycles, window)
        cycle = self._cycle
        ring: NDArray[np.float64] = np.where(self._newer, laid[cycle], laid[cycle - 1])
        return ring


def _levels_many(
    hist: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64], share: float
) -> list[tuple[float, float, float] | None]:
    """:func:`_levels` of every row of ``hist`` at once: the value areas grow one bin per
    step in all rows together, each row adding the same floats in the same order."""
    rows, bins = hist.shape
    last = bins - 1
    total = np.cumsum(hist, axis=1)[:, -1]  # sequential, like the streaming loop
    poc = np.argmax(hist, axis=1)  # the first maximum, like list.index(max(...))
    target = total * share
    acc = hist[np.arange(rows), poc]
    low = poc.copy()
    high = poc.copy()
    # a -1.0 bin on each side stands for "no neighbour there" (as in _levels), so a
    # neighbour is one flat read: column c + 1 of a padded row holds bin c
    padded = np.full((rows, bins + 2), -1.0)
    padded[:, 1:-1] = hist
    flat = padded.ravel()
    active = np.flatnonzero((acc < target) & ((low > 0) | (high < last)))
    # the growing rows' state, compacted as rows finish (written back then)
    a_low, a_high, a_acc, a_target = low[active], high[active], acc[active], target[active]
    a_base = active * (bins + 2)
    while len(active):
        below = flat[a_base + a_low]
        above = flat[a_base + a_high + 2]
        down = below >= above
        a_low -= down
        a_high += ~down
        a_acc = a_acc + np.where(down, below, above)
        going = (a_acc < a_target) & ((a_low > 0) | (a_high < last))
        if not going.all():
            done = ~going
            rows_done = active[done]
            low[rows_done], high[rows_done] = a_low[done], a_high[done]
            active, a_base = active[going], a_base[going]
            a_low, a_high = a_low[going], a_high[going]
            a_acc, a_target = a_acc[going], a_target[going]
    width = (hi - lo) / bins
    poc_price = lo + (poc + 0.5) * width
    val = lo + low * width
    vah = lo + (high + 1) * width
    return [
        None if t <= 0.0 else (p, v, h)
        for t, p, v, h in zip(
            total.tolist(), poc_price.tolist(), val.tolist(), vah.tolist(), strict=True
        )
    ]


class VolumeProfile(BaseStrategy[VolumeProfileParams]):
    """Value-area-low bounce / value-area-high rejection around the point of control."""

    name = "volume_profile"
    params_model = VolumeProfileParams

    @property
    def warmup_period(self) -> int:
        return self.params.window + 1

    def reset(self) -> None:
        n = self.params.window
        self._prices = np.zeros(n, dtype=np.float64)  # ring buffers of the last n bars
        self._volumes = np.zeros(n, dtype=np.float64)
        self._next = 0
        self._seen = 0
        self._side = 0  # -1: closed below the VAL, +1: above the VAH, 0: no setup

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        p = self.params
        full = self._seen >= p.window
        levels = value_area(self._prices, self._volumes, p.bins, p.value_area) if full else None
        i = self._next
        self._prices[i] = (bar.high + bar.low + bar.close) / 3.0
        self._volumes[i] = bar.volume
        self._next = i + 1 if i + 1 < p.window else 0
        self._seen += 1
        return None if levels is None else self._judge(levels, bar.close)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_bar` over a block: every window's profile binned at once
        (:func:`profiles`, bit for bit the streaming one), in chunks that bound memory."""
        p = self.params
        n = p.window
        typical = (bars.high + bars.low + bars.close) / 3.0
        kept = min(self._seen, n)  # what the ring holds, oldest first
        start = self._next if self._seen >= n else 0
        ring_order = np.r_[start:n, 0:start] if self._seen >= n else np.arange(kept)
        prices = np.concatenate((self._prices[ring_order], typical))
        volumes = np.concatenate((self._volumes[ring_order], bars.volume))
        first = self._seen - kept  # the stream's number of prices[0]
        closes = bars.close.tolist()
        out: list[tuple[int, Opinion]] = []
        skip = max(0, n - kept)  # block bars whose window is not full yet
        for lo in range(skip, len(closes), _CHUNK):
            hi = min(lo + _CHUNK, len(closes))
            # rows for block bars lo..hi-1: windows end at stream positions kept+lo..
            part = slice(kept + lo - n, kept + hi)
            levels = profiles(
                prices[part], volumes[part], first + kept + lo - n, n, p.bins, p.value_area
            )
            for offset, level in enumerate(levels):
                if level is not None:
                    opinion = self._judge(level, closes[lo + offset])
                    if opinion is not None:
                        out.append((lo + offset, opinion))
        tail = prices[-n:], volumes[-n:]
        seen = self._seen + len(closes)
        for s, (price, volume) in enumerate(zip(*tail, strict=True), start=seen - len(tail[0])):
            self._prices[s % n] = price
            self._volumes[s % n] = volume
        self._seen = seen
        self._next = seen % n
        return out

    def _judge(self, levels: tuple[float, float, float], close: float) -> Opinion | None:
        poc, val, vah = levels
        if close < val:
            self._side = -1
            return None
        if close > vah:
            self._side = 1
            return None
        side, self._side = self._side, 0
        if side < 0 and close <= poc:
            room = (poc - close) / (poc - val)
            reason = f"bounce off the value area low {val:.4g} (POC {poc:.4g})"
            return Opinion(Direction.LONG, 0.5 + 0.5 * room, _CONFIDENCE, reason)
        if side > 0 and close >= poc:
            room = (close - poc) / (vah - poc)
            reason = f"rejection at the value area high {vah:.4g} (POC {poc:.4g})"
            return Opinion(Direction.SHORT, 0.5 + 0.5 * room, _CONFIDENCE, reason)
        return None
