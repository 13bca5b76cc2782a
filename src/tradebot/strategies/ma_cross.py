"""The moving-average cross shared by ``sma_cross`` and ``ema_cross``.

Both strategies are one rule with a different average: LONG when the fast average crosses
above the slow one (golden cross), SHORT (leave the long) when it crosses below (death
cross), by the last-non-zero-sign rule of :mod:`tradebot.strategies.cross` (a tie is no
cross). Strength is 0.5 at a bare cross, rising to 1.0 when the averages are 5 % of the price
apart; confidence is a fixed 0.6, since one technical rule has no calibrated view of its own
accuracy. A subclass names its average and its parameter defaults.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, TypeVar

from pydantic import model_validator

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams
from tradebot.strategies.cross import CrossDetector, cross_strength

__all__ = ["FastSlowParams", "MovingAverageCross"]

_CONFIDENCE = 0.6
_FULL_STRENGTH_GAP = 0.05


class _Average(Protocol):
    def update(self, value: float) -> float: ...


class FastSlowParams(StrategyParams):
    """A fast and a slow period; subclasses declare ``fast`` and ``slow`` with defaults."""

    fast: int
    slow: int

    @model_validator(mode="after")
    def _fast_below_slow(self) -> FastSlowParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be smaller than slow ({self.slow})")
        return self


P = TypeVar("P", bound=FastSlowParams)


class MovingAverageCross(BaseStrategy[P]):
    average: ClassVar[type[_Average]]
    label: ClassVar[str]

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def reset(self) -> None:
        self._fast = self.average(self.params.fast)  # type: ignore[call-arg]
        self._slow = self.average(self.params.slow)  # type: ignore[call-arg]
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
        up = cross > 0
        p, name = self.params, self.label
        return Opinion(
            Direction.LONG if up else Direction.SHORT,
            cross_strength(diff, bar.close, _FULL_STRENGTH_GAP),
            _CONFIDENCE,
            f"{'golden' if up else 'death'} cross: {name}{p.fast} crossed "
            f"{'above' if up else 'below'} {name}{p.slow}",
        )
