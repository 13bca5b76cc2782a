"""SMA cross (``sma_cross``): the long-only reference strategy of the benchmarks.

Idea: a fast simple moving average crossing the slow one marks a change of trend. Entry:
LONG when SMA(``fast``) crosses above SMA(``slow``). Exit: SHORT (leave the long) on the
cross down. A cross is a change of sign of ``fast − slow`` against the last non-zero
difference, so a tie is skipped, not counted (see :mod:`tradebot.strategies.cross`).
Strength: 0.5 at a bare cross, rising to 1.0 when the averages are 5 % of the price apart;
confidence is a fixed 0.6, since one technical rule has no calibrated view of its accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field

from tradebot.indicators.stream import SMA
from tradebot.strategies.ma_cross import FastSlowParams, MovingAverageCross

__all__ = ["SmaCross", "SmaCrossFactory", "SmaCrossParams"]


class SmaCrossParams(FastSlowParams):
    fast: int = Field(default=10, ge=1, le=1000, description="fast SMA period (bars)")
    slow: int = Field(default=30, ge=2, le=5000, description="slow SMA period (bars)")


class SmaCross(MovingAverageCross[SmaCrossParams]):
    """Fast SMA crossing the slow SMA: long on the cross up, exit on the cross down."""

    name = "sma_cross"
    params_model = SmaCrossParams
    average = SMA
    label = "SMA"


@dataclass(frozen=True, slots=True)
class SmaCrossFactory:
    """Direct factory (no registry) for code that builds the reference strategy itself."""

    params: SmaCrossParams = field(default_factory=SmaCrossParams)
    name: str = "sma_cross"

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def __call__(self, symbol: str) -> SmaCross:
        return SmaCross(self.params)
