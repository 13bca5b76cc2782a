"""The vectorised research path: signals in bulk, fills in a loop over signal bars only.

For parameter sweeps, where the event-driven kernel's per-bar work is wasted: indicators are
computed over whole arrays (causal, so still free of look-ahead), crosses are found with
numpy, and only the bars that carry a signal are visited in Python. The semantics are the
kernel's — a cross is a change of sign of ``fast − slow`` against the last non-zero
difference (ties skipped), the order fills at the next bar's open, all-in long-only sizing
``units = cash / (open × (1 + fee))`` — and a test holds the two paths to identical trades.

On prices that lie on a tick grid the SMA difference is computed exactly in integer ticks,
so float noise can neither create nor hide a cross at an exact tie; otherwise a difference
within 1e-12 of the price counts as a tie, as in the streaming strategy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["VectorResult", "cross_signals", "simulate_all_in", "sma_cross_backtest"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
_TIE_TOLERANCE = 1e-12


@dataclass(frozen=True, slots=True)
class VectorResult:
    """Fill bars and prices of each entry and exit, and the final equity (close-marked)."""

    entries: IntArray
    entry_prices: FloatArray
    exits: IntArray
    exit_prices: FloatArray
    final_equity: float

    @property
    def open_position(self) -> bool:
        return len(self.entries) > len(self.exits)


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
    ties = np.abs(gap) <= _TIE_TOLERANCE * np.abs(close[slow - 1 :])
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


def simulate_all_in(
    open_: npt.ArrayLike,
    close: npt.ArrayLike,
    up: BoolArray,
    down: BoolArray,
    *,
    fee: float = 0.001,
    cash: float = 100_000.0,
) -> VectorResult:
    """Long-only, all-in, next-open fills; a loop over signal bars only."""
    opens = np.ascontiguousarray(open_, dtype=np.float64)
    closes = np.ascontiguousarray(close, dtype=np.float64)
    n = len(closes)
    signal_bars = np.flatnonzero(up | down)
    is_up = up[signal_bars]
    units = 0.0
    entries: list[int] = []
    exits: list[int] = []
    for t, rising in zip(signal_bars.tolist(), is_up.tolist(), strict=True):
        fill = t + 1
        if fill >= n:
            break
        if rising and units == 0.0:
            price = float(opens[fill])
            units, cash = cash / (price * (1.0 + fee)), 0.0
            entries.append(fill)
        elif not rising and units > 0.0:
            price = float(opens[fill])
            cash, units = units * price * (1.0 - fee), 0.0
            exits.append(fill)
    entry_idx = np.asarray(entries, dtype=np.int64)
    exit_idx = np.asarray(exits, dtype=np.int64)
    return VectorResult(
        entry_idx,
        opens[entry_idx],
        exit_idx,
        opens[exit_idx],
        cash + units * float(closes[-1]) if n else cash,
    )


def sma_cross_backtest(
    open_: npt.ArrayLike,
    close: npt.ArrayLike,
    fast: int = 10,
    slow: int = 30,
    *,
    fee: float = 0.001,
    cash: float = 100_000.0,
    tick: float = 0.01,
) -> VectorResult:
    """The standard case end to end: SMA cross signals, then the all-in fill loop."""
    up, down = cross_signals(close, fast, slow, tick=tick)
    return simulate_all_in(open_, close, up, down, fee=fee, cash=cash)
