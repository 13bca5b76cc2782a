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

from pydantic import Field, model_validator

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import EMA
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams
from tradebot.strategies.cross import CrossDetector, cross_strength

__all__ = ["EmaCross", "EmaCrossParams"]

_CONFIDENCE = 0.6
_FULL_STRENGTH_GAP = 0.05


class EmaCrossParams(StrategyParams):
    fast: int = Field(default=9, ge=1, le=1000, description="fast EMA period (bars)")
    slow: int = Field(default=21, ge=2, le=5000, description="slow EMA period (bars)")

    @model_validator(mode="after")
    def _fast_below_slow(self) -> EmaCrossParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be smaller than slow ({self.slow})")
        return self


class EmaCross(BaseStrategy[EmaCrossParams]):
    """Golden cross (fast EMA above slow) to buy, death cross to sell."""

    name = "ema_cross"
    params_model = EmaCrossParams

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def reset(self) -> None:
        self._fast = EMA(self.params.fast)
        self._slow = EMA(self.params.slow)
        self._cross = CrossDetector()

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        fast = self._fast.update(bar.close)
        slow = self._slow.update(bar.close)
        if slow != slow:  # NaN during warm-up (the fast EMA is ready first)
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
            f"{'golden' if cross > 0 else 'death'} cross: EMA{p.fast} "
            f"{'above' if cross > 0 else 'below'} EMA{p.slow}",
        )
