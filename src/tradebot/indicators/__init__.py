"""Indicators: vectorised batch functions and O(1) streaming twins (checked against TA-Lib).

Batch functions take whole series (lists or float64 arrays) and return float64 arrays of
the same length with NaN in the warm-up positions; their streaming twins live in
``tradebot.indicators.stream`` and return the same values one bar at a time.
"""

from tradebot.indicators.batch import adx, atr, bollinger, ema, macd, obv, rsi, sma, stoch
from tradebot.indicators.session import vwap
from tradebot.indicators.stream import StreamingSMA

__all__ = [
    "StreamingSMA",
    "adx",
    "atr",
    "bollinger",
    "ema",
    "macd",
    "obv",
    "rsi",
    "sma",
    "stoch",
    "vwap",
]
