"""``sma_cross`` in bulk: crosses of SMA(fast) over SMA(slow), exact on a tick grid.

A cross is a change of sign of ``fast − slow`` against the last non-zero difference (ties
skipped), as in :mod:`tradebot.strategies.cross`. On prices that lie on a tick grid the
difference is computed exactly in integer ticks, so float noise can neither create nor hide
a cross at an exact tie; otherwise a difference within 1e-12 of the price counts as a tie,
as in the streaming strategy. Every cross has strength 0.5 or more, so any ensemble
threshold below 0.5 lets all of them through.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tradebot.strategies.cross import TIE_TOLERANCE

__all__ = ["cross_signals"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _sma_sign(close: FloatArray, fast: int, slow: int, tick: float) -> npt.NDArray[np.int8]:
    """Sign of SMA(fast) − SMA(slow) from bar ``slow − 1`` on (0 before), exact on a tick grid."""
    sign = np.zeros(len(close), dtype=np.int8)
    if len(close) < slow:
        return sign
    ticks = close / tick
    exact = np.round(ticks)
    if np.all(np.abs(ticks - exact) < 1e-6) and np.max(exact) * slow < 2**53:
        sums = np.concatenate(([0], np.cumsum(exact.astype(np.int64))))
        diff = slow * (sums[fast:] - sums[:-fast])[slow - fast :] - fast * (
            sums[slow:] - sums[:-slow]
        )
        sign[slow - 1 :] = np.sign(diff)
        return sign
    sums = np.concatenate(([0.0], np.cumsum(close)))
    gap = (sums[fast:] - sums[:-fast])[slow - fast :] / fast - (sums[slow:] - sums[:-slow]) / slow
    ties = np.abs(gap) <= TIE_TOLERANCE * np.abs(close[slow - 1 :])
    sign[slow - 1 :] = np.where(ties, 0, np.sign(gap))
    return sign


def cross_signals(
    close: npt.ArrayLike, fast: int = 10, slow: int = 30, *, tick: float = 0.01
) -> tuple[BoolArray, BoolArray]:
    """``(up, down)``: bars where fast − slow changes sign against its last non-zero value."""
    prices = np.ascontiguousarray(close, dtype=np.float64)
    if not 1 <= fast < slow:
        raise ValueError(f"need 1 <= fast < slow, got fast={fast}, slow={slow}")
    sign = _sma_sign(prices, fast, slow, tick)
    nonzero = np.flatnonzero(sign)
    up = np.zeros(len(prices), dtype=np.bool_)
    down = np.zeros(len(prices), dtype=np.bool_)
    if len(nonzero) < 2:
        return up, down
    current, previous = sign[nonzero[1:]], sign[nonzero[:-1]]
    changed = nonzero[1:][current != previous]
    up[changed[sign[changed] > 0]] = True
    down[changed[sign[changed] < 0]] = True
    return up, down
