"""Batch indicators over whole float64 series: thin, checked wrappers around TA-Lib.

TA-Lib is the reference the project is measured against, so where it has an indicator we
call it instead of re-deriving it; ``vwap`` (TA-Lib has none) lives in ``session.py``.
Every function accepts lists or arrays, checks periods (integers >= 1) and lengths, refuses
NaN/inf, and returns float64 arrays of the input's length with NaN in the warm-up positions.

TA-Lib refuses some periods (1 for RSI, Bollinger, ADX and the MACD EMAs; anything above
100,000). Those still have a well-defined value, so they are computed by running the
streaming twin over the series: slower, but the same definition. The results assume
TA-Lib's default global settings (``set_compatibility(0)``, unstable periods 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import talib
from numpy.typing import ArrayLike, NDArray

from tradebot.indicators import stream
from tradebot.indicators._validate import as_series, check_multiplier, check_period, same_length

__all__ = ["adx", "atr", "bollinger", "ema", "macd", "obv", "rsi", "sma", "stoch"]

Series = NDArray[np.float64]

_TALIB_MAX_PERIOD = 100_000
# TA-Lib's MA_Type.SMA: the stub declares an Enum, the compiled function takes the int.
_MA_SMA: Any = 0


def _talib_accepts(*periods: tuple[int, int]) -> bool:
    """True when every ``(period, TA-Lib's minimum)`` pair lies in TA-Lib's range."""
    return all(low <= p <= _TALIB_MAX_PERIOD for p, low in periods)


def _replay(update: Callable[..., Any], width: int, *columns: Series) -> tuple[Series, ...]:
    """Feed ``columns`` bar by bar to a streaming ``update``; ``width`` outputs per bar."""
    size = len(columns[0]) if columns else 0
    out = np.empty((size, width), dtype=np.float64)
    rows = zip(*(c.tolist() for c in columns), strict=True)
    if width == 1:
        for i, row in enumerate(rows):
            out[i, 0] = update(*row)
    else:
        for i, row in enumerate(rows):
            out[i] = update(*row)
    return tuple(out[:, j].copy() for j in range(width))


def _hlc(high: ArrayLike, low: ArrayLike, close: ArrayLike) -> tuple[Series, Series, Series]:
    h = as_series("high", high)
    lo = as_series("low", low)
    c = as_series("close", close)
    same_length(high=h, low=lo, close=c)
    return h, lo, c


def sma(x: ArrayLike, n: int) -> Series:
    """Simple moving average over ``n`` values (TA-Lib ``SMA``); first value at ``n - 1``."""
    n = check_period("n", n)
    arr = as_series("x", x)
    if not _talib_accepts((n, 1)):
        return _replay(stream.SMA(n).update, 1, arr)[0]
    return np.asarray(talib.SMA(arr, timeperiod=n), dtype=np.float64)


def ema(x: ArrayLike, n: int) -> Series:
    """EMA with k = 2/(n+1), seeded with the SMA of the first ``n`` values (TA-Lib ``EMA``)."""
    n = check_period("n", n)
    arr = as_series("x", x)
    if not _talib_accepts((n, 1)):
        return _replay(stream.EMA(n).update, 1, arr)[0]
    return np.asarray(talib.EMA(arr, timeperiod=n), dtype=np.float64)


def rsi(x: ArrayLike, n: int = 14) -> Series:
    """Wilder's RSI (TA-Lib ``RSI``); first value at bar ``n``; 0 for a flat market."""
    n = check_period("n", n)
    arr = as_series("x", x)
    if not _talib_accepts((n, 2)):
        return _replay(stream.RSI(n).update, 1, arr)[0]
    return np.asarray(talib.RSI(arr, timeperiod=n), dtype=np.float64)


def macd(
    x: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Series, Series, Series]:
    """``(macd, signal, hist)`` as TA-Lib ``MACD`` computes them, alignment quirk included.

    Both EMAs start at bar ``slow - 1`` (the fast one seeded with the SMA of the ``fast``
    values ending there); the first triple is at bar ``slow + signal - 2``.
    """
    fast = check_period("fast", fast)
    slow = check_period("slow", slow)
    signal = check_period("signal", signal)
    arr = as_series("x", x)
    if not _talib_accepts((fast, 2), (slow, 2), (signal, 1)):
        line, sig, hist = _replay(stream.MACD(fast, slow, signal).update, 3, arr)
        return line, sig, hist
    line, sig, hist = talib.MACD(arr, fastperiod=fast, slowperiod=slow, signalperiod=signal)
    return _f64(line), _f64(sig), _f64(hist)


def bollinger(x: ArrayLike, n: int = 20, k: float = 2.0) -> tuple[Series, Series, Series]:
    """``(upper, middle, lower)``: SMA(n) ± k population std (TA-Lib ``BBANDS``, SMA)."""
    n = check_period("n", n)
    k = check_multiplier("k", k)
    arr = as_series("x", x)
    if not _talib_accepts((n, 2)):
        upper, middle, lower = _replay(stream.Bollinger(n, k).update, 3, arr)
        return upper, middle, lower
    upper, middle, lower = talib.BBANDS(arr, timeperiod=n, nbdevup=k, nbdevdn=k, matype=_MA_SMA)
    return _f64(upper), _f64(middle), _f64(lower)


def atr(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Series:
    """Wilder's average true range (TA-Lib ``ATR``); first value at bar ``n``."""
    n = check_period("n", n)
    h, lo, c = _hlc(high, low, close)
    if not _talib_accepts((n, 1)):
        return _replay(stream.ATR(n).update, 1, h, lo, c)[0]
    return np.asarray(talib.ATR(h, lo, c, timeperiod=n), dtype=np.float64)


def obv(close: ArrayLike, volume: ArrayLike) -> Series:
    """On-balance volume (TA-Lib ``OBV``): starts at the first bar's volume, no warm-up."""
    c = as_series("close", close)
    v = as_series("volume", volume)
    same_length(close=c, volume=v)
    return np.asarray(talib.OBV(c, v), dtype=np.float64)


def stoch(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, k: int = 14, d: int = 3
) -> tuple[Series, Series]:
    """Fast stochastic ``(%K, %D)``: raw %K over ``k`` bars, %D = SMA(``d``) of %K.

    This is TA-Lib ``STOCHF(fastk=k, fastd=d, SMA)``; as there, %K is NaN until %D exists
    (bar ``k + d - 2``), and %K is 0 when the window's high equals its low.
    """
    k = check_period("k", k)
    d = check_period("d", d)
    h, lo, c = _hlc(high, low, close)
    if not _talib_accepts((k, 1), (d, 1)):
        fast_k, fast_d = _replay(stream.Stoch(k, d).update, 2, h, lo, c)
        return fast_k, fast_d
    fast_k, fast_d = talib.STOCHF(h, lo, c, fastk_period=k, fastd_period=d, fastd_matype=_MA_SMA)
    return _f64(fast_k), _f64(fast_d)


def adx(high: ArrayLike, low: ArrayLike, close: ArrayLike, n: int = 14) -> Series:
    """Wilder's average directional index (TA-Lib ``ADX``); first value at bar ``2n - 1``."""
    n = check_period("n", n)
    h, lo, c = _hlc(high, low, close)
    if not _talib_accepts((n, 2)):
        return _replay(stream.ADX(n).update, 1, h, lo, c)[0]
    return np.asarray(talib.ADX(h, lo, c, timeperiod=n), dtype=np.float64)


def _f64(values: Any) -> Series:
    return np.asarray(values, dtype=np.float64)
