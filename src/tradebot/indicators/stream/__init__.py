"""Streaming indicators: O(1) work and memory per bar, fed one bar at a time.

Each class is the twin of a batch function in ``tradebot.indicators`` and returns, bar by
bar, the value that function returns for the whole series (TA-Lib's seeding and warm-up
included). ``update(...)`` takes one bar's values and returns the current value (NaN while
warming up; tuples for MACD, Bollinger and Stoch); ``reset()`` starts over; ``lookback``
is the number of bars consumed before the first value. Inputs are assumed finite: bars are
validated where they enter the system, not per update.
"""

from tradebot.indicators.stream.averages import EMA, MACD, SMA, StreamingSMA
from tradebot.indicators.stream.bands import Bollinger
from tradebot.indicators.stream.oscillators import RSI, Stoch
from tradebot.indicators.stream.ranges import ADX, ATR
from tradebot.indicators.stream.volume import OBV, VWAP

__all__ = [
    "ADX",
    "ATR",
    "EMA",
    "MACD",
    "OBV",
    "RSI",
    "SMA",
    "VWAP",
    "Bollinger",
    "Stoch",
    "StreamingSMA",
]
