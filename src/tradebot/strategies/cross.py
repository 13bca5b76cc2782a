"""Sign-change detection and strength scaling shared by the crossing strategies.

A cross is a change of sign of a difference (fast − slow, price − average, MACD histogram)
against the last *non-zero* sign, so a bar where the two lines tie is skipped rather than
counted as a cross (backtrader's ``CrossOver`` rule). Differences within a relative 1e-12 of
the price are ties: float noise in running sums must neither create nor hide a cross on
tick-grid prices. The caller checks for NaN (warm-up) before calling.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["TIE_TOLERANCE", "CrossDetector", "cross_strength", "cross_strengths"]

FloatArray = NDArray[np.float64]

TIE_TOLERANCE = 1e-12


class CrossDetector:
    """Remembers the last non-zero sign of a difference and reports when it flips."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = 0

    def update(self, diff: float, scale: float) -> int:
        """+1 on an upward cross, −1 on a downward one, 0 otherwise (tie, no flip, first sign)."""
        if abs(diff) <= TIE_TOLERANCE * abs(scale):
            return 0
        sign = 1 if diff > 0 else -1
        previous = self._last
        self._last = sign
        if previous == 0 or previous == sign:
            return 0
        return sign

    def update_many(self, diff: FloatArray, scale: FloatArray) -> NDArray[np.int8]:
        """:meth:`update` for each ``(diff, scale)`` pair in turn, vectorised: the same tie
        test in the same floating-point operations, the last non-zero sign carried through
        the block and out of it. NaN differences (warm-up) must be filtered out first."""
        sign = np.where(diff > 0, 1, -1).astype(np.int8)
        sign[np.abs(diff) <= TIE_TOLERANCE * np.abs(scale)] = 0
        crosses = np.zeros(len(sign), dtype=np.int8)
        nonzero = np.flatnonzero(sign)
        if len(nonzero) == 0:
            return crosses
        current = sign[nonzero]
        previous = np.empty_like(current)
        previous[0] = self._last
        previous[1:] = current[:-1]
        flipped = (previous != 0) & (previous != current)
        crosses[nonzero[flipped]] = current[flipped]
        self._last = int(current[-1])
        return crosses


def cross_strength(gap: float, price: float, full_at: float) -> float:
    """0.5 at a bare cross, rising linearly to 1.0 when ``|gap|`` is ``full_at`` of the price.

    A cross always carries at least 0.5: the event itself is the signal; the gap only says
    how decisive it was.
    """
    return min(1.0, 0.5 + 0.5 * abs(gap) / (full_at * abs(price)))


def cross_strengths(gaps: FloatArray, prices: FloatArray, full_at: float) -> FloatArray:
    """:func:`cross_strength` of many crosses at once, with the same operations in the same
    order (so each value is the scalar function's, bit for bit)."""
    strengths: FloatArray = np.minimum(1.0, 0.5 + 0.5 * np.abs(gaps) / (full_at * np.abs(prices)))
    return strengths
