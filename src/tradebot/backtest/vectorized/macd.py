"""``macd`` in bulk: the streaming MACD histogram bit for bit, crosses as the strategy finds them.

The strategy (:mod:`tradebot.strategies.macd`) feeds each close to the streaming
:class:`~tradebot.indicators.stream.MACD` and hands the histogram to a
:class:`~tradebot.strategies.cross.CrossDetector` with the close as the tie scale. Here the
three EMAs come from :func:`.recurrence.solve` (the streaming values exactly; TA-Lib's
``EMA`` only guesses the block starts), the seeds are the same running sums in the same
order (``np.cumsum`` adds sequentially, as the streaming class does), and the crosses come
from the strategy's own ``CrossDetector.update_many`` — so a tie, a last-non-zero-sign flip
or a strength is decided by the very operations the kernel runs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tradebot.backtest.vectorized.recurrence import ema_step, solve
from tradebot.indicators import ema
from tradebot.strategies.cross import CrossDetector, cross_strengths
from tradebot.strategies.macd import FULL_STRENGTH_SWING, MacdParams

__all__ = ["macd_histogram", "macd_signals"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _sequential_mean(values: FloatArray) -> float:
    """The streaming seed: ``0.0 + v0 + v1 + ...`` left to right, divided by the count."""
    return float(np.cumsum(values)[-1]) / len(values)


def macd_histogram(close: FloatArray, fast: int, slow: int, signal: int) -> FloatArray:
    """What ``MACD(fast, slow, signal).update`` returns as histogram for each close, in bulk
    (NaN before bar ``slow + signal - 2``). Needs ``1 <= fast < slow`` and finite closes."""
    n = len(close)
    hist = np.full(n, np.nan)
    first = slow + signal - 2
    if n <= first:
        return hist
    updates = close[slow:]
    slow_seed = _sequential_mean(close[:slow])
    fast_seed = _sequential_mean(close[slow - fast : slow])
    slow_ema = solve(ema_step(slow), slow_seed, updates, ema(close, slow)[slow:])
    fast_guess = ema(close[slow - fast :], fast)[fast:]
    fast_ema = solve(ema_step(fast), fast_seed, updates, fast_guess)
    line = np.concatenate(([fast_seed - slow_seed], fast_ema - slow_ema))  # bars slow - 1 ..
    signal_seed = _sequential_mean(line[:signal])
    rest = line[signal:]
    signal_ema = solve(ema_step(signal), signal_seed, rest, ema(line, signal)[signal:])
    hist[first] = line[signal - 1] - signal_seed
    hist[first + 1 :] = rest - signal_ema
    return hist


def macd_signals(
    close: FloatArray, params: MacdParams, threshold: float
) -> tuple[BoolArray, BoolArray]:
    """``(long, short)``: bars where the strategy's opinion clears a one-strategy ensemble at
    ``threshold``. A cross carries strength ``min(1, 0.5 + 0.5·|Δhist| / (0.005·|close|))``
    (``Δhist`` against the previous histogram, 0 before the first), computed as the strategy
    does, so a threshold of 0.5 or more filters exactly the crosses the kernel filters."""
    n = len(close)
    up = np.zeros(n, dtype=np.bool_)
    down = np.zeros(n, dtype=np.bool_)
    hist = macd_histogram(close, params.fast, params.slow, params.signal)
    first = params.slow + params.signal - 2
    if n <= first:
        return up, down
    live_hist, live_close = hist[first:], close[first:]
    crosses = CrossDetector().update_many(live_hist, live_close)
    at = np.flatnonzero(crosses)
    previous = np.concatenate(([0.0], live_hist[:-1]))[at]
    gap = live_hist[at] - previous
    strength = cross_strengths(gap, live_close[at], FULL_STRENGTH_SWING)
    keep = np.clip(strength, 0.0, 1.0) > threshold
    rising = crosses[at] > 0
    up[first + at[keep & rising]] = True
    down[first + at[keep & ~rising]] = True
    return up, down
