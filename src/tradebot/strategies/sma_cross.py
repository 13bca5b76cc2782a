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

from pydantic import Field, model_validator

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import SMA
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams
from tradebot.strategies.cross import CrossDetector, cross_strength

__all__ = ["SmaCross", "SmaCrossFactory", "SmaCrossParams"]

_CONFIDENCE = 0.6
_FULL_STRENGTH_GAP = 0.05


class SmaCrossParams(StrategyParams):
    fast: int = Field(default=10, ge=1, le=1000, description="fast SMA period (bars)")
    slow: int = Field(default=30, ge=2, le=5000, description="slow SMA period (bars)")

    @model_validator(mode="after")
    def _fast_below_slow(self) -> SmaCrossParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be smaller than slow ({self.slow})")
        return self


class SmaCross(BaseStrategy[SmaCrossParams]):
    """Fast SMA crossing the slow SMA: long on the cross up, exit on the cross down."""

    name = "sma_cross"
    params_model = SmaCrossParams

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def reset(self) -> None:
        self._fast = SMA(self.params.fast)
        self._slow = SMA(self.params.slow)
        self._cross = CrossDetector()

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        fast = self._fast.update(bar.close)
        slow = self._slow.update(bar.close)
        if fast != fast or slow != slow:  # NaN during warm-up
            return None
        diff = fast - slow
        cross = self._cross.update(diff, bar.close)
        if cross == 0:
            return None
        p = self.params
        return Opinion(
            Direction.LONG if cross > 0 else Direction.SHORT,
            cross_strength(diff, bar.close, _FULL_STRENGTH_GAP),
            _CONFIDENCE,
            f"SMA{p.fast} crossed {'above' if cross > 0 else 'below'} SMA{p.slow}",
        )


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
