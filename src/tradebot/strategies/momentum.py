"""SMA-cross momentum: long when the fast SMA crosses above the slow one, exit on the cross down.

A cross is a change of sign of ``fast - slow`` against the last *non-zero* difference, so a
bar where the two averages tie is skipped rather than counted as a cross (backtrader's
``CrossOver`` rule). Differences within a relative 1e-12 of the price are ties: float noise
in the running sums must neither create nor hide a cross on tick-grid prices.

Strength grows with the gap between the averages (0.5 at a bare cross, 1.0 at a 5 % gap);
confidence is fixed, since one technical rule has no calibrated view of its own accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field, model_validator

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import StreamingSMA
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams

__all__ = ["MomentumFactory", "MomentumParams", "SmaCrossMomentum"]

_TIE_TOLERANCE = 1e-12
_CONFIDENCE = 0.6


class MomentumParams(StrategyParams):
    fast: int = Field(default=10, ge=1, le=1000)
    slow: int = Field(default=30, ge=2, le=5000)

    @model_validator(mode="after")
    def _fast_below_slow(self) -> MomentumParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be smaller than slow ({self.slow})")
        return self


class SmaCrossMomentum(BaseStrategy[MomentumParams]):
    name = "momentum"
    params_model = MomentumParams

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def reset(self) -> None:
        self._fast = StreamingSMA(self.params.fast)
        self._slow = StreamingSMA(self.params.slow)
        self._last_sign = 0

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        fast = self._fast.update(bar.close)
        slow = self._slow.update(bar.close)
        if fast != fast or slow != slow:  # NaN during warm-up
            return None
        diff = fast - slow
        sign = 0 if abs(diff) <= _TIE_TOLERANCE * abs(bar.close) else (1 if diff > 0 else -1)
        if sign == 0:
            return None
        previous, self._last_sign = self._last_sign, sign
        if previous == 0 or previous == sign:
            return None
        strength = min(1.0, 0.5 + 10.0 * abs(diff) / slow)
        direction = Direction.LONG if sign > 0 else Direction.SHORT
        return Opinion(
            direction,
            strength,
            _CONFIDENCE,
            f"SMA{self.params.fast} crossed "
            f"{'above' if sign > 0 else 'below'} SMA{self.params.slow}",
        )


@dataclass(frozen=True, slots=True)
class MomentumFactory:
    params: MomentumParams = field(default_factory=MomentumParams)
    name: str = "momentum"

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def __call__(self, symbol: str) -> SmaCrossMomentum:
        return SmaCrossMomentum(self.params)
