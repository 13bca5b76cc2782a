"""``mean_reversion`` in bulk: the streaming RSI bit for bit, the strategy's levels and rules.

The strategy (:mod:`tradebot.strategies.mean_reversion`) feeds each close to the streaming
Wilder :class:`~tradebot.indicators.stream.RSI`: the first ``period`` changes are summed per
side and averaged, then each side follows ``avg = (avg · (period − 1) + change) / period``.
Here the two averages come from :func:`.recurrence.solve` — the streaming values exactly
(TA-Lib's ``RSI`` differs from them in the last bits on most bars; its ``EMA`` over
``2·period − 1`` bars, which smooths by the same ``1/period``, only guesses block starts).
The rest is elementwise and uses the strategy's operations: RSI ``100 · (gain / total)``
(0 when both averages are 0), no opinion after ``period`` unchanged closes (a flat market),
LONG below ``oversold`` with strength ``(oversold − RSI) / oversold``, SHORT above
``overbought`` with ``(RSI − overbought) / (100 − overbought)``, kept when that strength
clears the one-strategy ensemble threshold — the kernel acts on nothing weaker.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tradebot.backtest.vectorized.recurrence import solve_many, wilder_step
from tradebot.indicators import ema
from tradebot.strategies.mean_reversion import RsiMeanReversionParams

__all__ = ["rsi_signals", "rsi_values", "unchanged_run"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def rsi_values(close: FloatArray, period: int) -> FloatArray:
    """What ``RSI(period).update`` returns for each close, in bulk (NaN before bar
    ``period``). Closes must be finite."""
    n = len(close)
    out = np.full(n, np.nan)
    if n <= period:
        return out
    change = np.diff(close)
    falling = change < 0.0
    sides = (np.where(falling, 0.0, change), np.where(falling, -change, 0.0))
    # the seeds: the first `period` changes of each side summed left to right from 0.0
    seeds = [float(np.cumsum(side[:period])[-1]) / period for side in sides]
    rests = [side[period:] for side in sides]
    span = 2 * period - 1  # an EMA over 2·period − 1 bars smooths by 1/period, as Wilder does
    guesses = [
        ema(np.concatenate((np.full(span, s), r)), span)[span:]
        for s, r in zip(seeds, rests, strict=True)
    ]
    solved = solve_many(wilder_step(period), seeds, rests, guesses)
    gain, loss = (np.concatenate(([s], v)) for s, v in zip(seeds, solved, strict=True))
    total = gain + loss
    flat = total == 0.0
    out[period:] = np.where(flat, 0.0, 100.0 * (gain / np.where(flat, 1.0, total)))
    return out


def unchanged_run(close: FloatArray) -> IntArray:
    """For each bar, how many closes in a row, ending with its own, equalled the close before
    them (the strategy's ``_unchanged`` counter: 0 at the first bar and after any change)."""
    n = len(close)
    index = np.arange(n, dtype=np.int64)
    same = np.zeros(n, dtype=np.bool_)
    same[1:] = close[1:] == close[:-1]
    last_change = np.maximum.accumulate(np.where(same, 0, index))
    return index - last_change


def rsi_signals(
    close: FloatArray, params: RsiMeanReversionParams, threshold: float
) -> tuple[BoolArray, BoolArray]:
    """``(long, short)``: bars where the strategy's opinion clears a one-strategy ensemble at
    ``threshold`` (level-based: every bar of an extreme, not just the first)."""
    p = params
    rsi = rsi_values(close, p.period)
    live = ~np.isnan(rsi) & (unchanged_run(close) < p.period)
    with np.errstate(invalid="ignore"):  # NaN RSI in the warm-up compares False
        low = live & (rsi < p.oversold)
        high = live & (rsi > p.overbought)
        buy = np.clip((p.oversold - rsi) / p.oversold, 0.0, 1.0)
        sell = np.clip((rsi - p.overbought) / (100.0 - p.overbought), 0.0, 1.0)
    return low & (buy > threshold), high & ~low & (sell > threshold)
