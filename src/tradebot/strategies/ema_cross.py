"""EMA cross (``ema_cross``): golden and death crosses of a fast and a slow EMA.

Idea: exponential averages react faster than simple ones, so their crosses mark trend
changes earlier (at the price of more whipsaws). Entry: LONG on the golden cross, EMA(``fast``)
crossing above EMA(``slow``). Exit: SHORT on the death cross, fast crossing below slow.
Crosses follow the last-non-zero-sign rule of :mod:`tradebot.strategies.cross` (a tie is no
cross). EMAs are seeded TA-Lib style with the SMA of their first values, so both exist from
bar ``slow`` on. Strength: 0.5 at a bare cross, rising to 1.0 when the EMAs are 5 % of the
price apart; confidence a fixed 0.6.
"""

from __future__ import annotations

from pydantic import Field

from tradebot.indicators.stream import EMA
from tradebot.strategies.ma_cross import FastSlowParams, MovingAverageCross

__all__ = ["EmaCross", "EmaCrossParams"]


class EmaCrossParams(FastSlowParams):
    fast: int = Field(default=9, ge=1, le=1000, description="fast EMA period (bars)")
    slow: int = Field(default=21, ge=2, le=5000, description="slow EMA period (bars)")


class EmaCross(MovingAverageCross[EmaCrossParams]):
    """Golden cross (fast EMA above slow) to buy, death cross to sell."""

    name = "ema_cross"
    params_model = EmaCrossParams
    average = EMA
    label = "EMA"
