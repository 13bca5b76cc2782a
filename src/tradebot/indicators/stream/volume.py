"""Streaming volume indicators: session-anchored VWAP and on-balance volume, O(1) per bar."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["OBV", "VWAP"]

_NAN = math.nan


class VWAP:
    """Volume-weighted average typical price ((h + l + c) / 3) since the session started.

    A bar whose ``session`` label differs from the previous bar's starts a new session, so
    any integer labelling works (trading day number, epoch day, a counter). The sums are
    plain sequential float sums, exactly what the batch ``vwap`` computes per session; they
    restart every session, which bounds their length and so their rounding error. NaN while
    the session's cumulative volume is 0.
    """

    __slots__ = ("_pv", "_session", "_volume")

    _pv: float
    _session: int | None
    _volume: float

    def __init__(self) -> None:
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (none: the first bar has a VWAP)."""
        return 0

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._pv = 0.0
        self._volume = 0.0
        self._session = None

    def update(self, high: float, low: float, close: float, volume: float, session: int) -> float:
        """Add one bar; return the session VWAP (NaN while the session has no volume)."""
        if session != self._session:
            self._session = session
            self._pv = 0.0
            self._volume = 0.0
        pv = self._pv + (high + low + close) / 3.0 * volume
        total = self._volume + volume
        self._pv = pv
        self._volume = total
        if total == 0.0:
            return _NAN
        return pv / total

    def update_many(
        self,
        high: Sequence[float],
        low: Sequence[float],
        close: Sequence[float],
        volume: Sequence[float],
        session: Sequence[int],
    ) -> list[float]:
        """:meth:`update` for each bar in turn, bit for bit and leaving the same state: the
        sums are a sequential recursion, so one local loop with the same operations in the
        same order (no method call per bar)."""
        label, pv, total = self._session, self._pv, self._volume
        out: list[float] = []
        append = out.append
        for h, lo, c, v, s in zip(high, low, close, volume, session, strict=True):
            if s != label:
                label, pv, total = s, 0.0, 0.0
            pv = pv + (h + lo + c) / 3.0 * v
            total = total + v
            append(_NAN if total == 0.0 else pv / total)
        self._session, self._pv, self._volume = label, pv, total
        return out


class OBV:
    """On-balance volume: add the bar's volume on an up close, subtract it on a down close.

    TA-Lib's convention: the first bar's OBV is its own volume (not 0), and an unchanged
    close leaves OBV unchanged. No warm-up.
    """

    __slots__ = ("_obv", "_prev")

    _obv: float
    _prev: float

    def __init__(self) -> None:
        self.reset()

    @property
    def lookback(self) -> int:
        """Bars consumed before the first value (none)."""
        return 0

    def reset(self) -> None:
        """Forget every value seen, as if just constructed."""
        self._obv = _NAN
        self._prev = _NAN

    def update(self, close: float, volume: float) -> float:
        """Add one bar; return the running OBV."""
        prev = self._prev
        self._prev = close
        if close > prev:
            self._obv += volume
        elif close < prev:
            self._obv -= volume
        elif prev != prev:  # first bar (prev is NaN)
            self._obv = volume
        return self._obv
