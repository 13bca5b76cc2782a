"""Grid (``grid``): buy each level the price falls through, sell each level it rises through.

Idea: in a ranging market, price oscillates between a floor and a ceiling; evenly spaced
levels between them harvest the swings. Levels: ``levels`` prices evenly spaced from
``lower`` to ``upper``; without bounds they are anchored at the first close seen,
``band`` below and above it (bounds are per symbol, so absolute defaults would be
meaningless). Entry: LONG when a close falls through one or more levels (previous close
above a level, this close at or below it). Exit: SHORT when a close rises through levels
(previous close below, this close at or above). Reaching a level counts as crossing it (an
order resting there would fill); leaving a level is not a new cross of it, so a touch and
bounce gives one signal, not two. Strength: 0.5 per level crossed, capped at 1.0 (a gap
through several levels is a stronger move); confidence a fixed 0.6. O(log levels) per bar.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from pydantic import Field, model_validator

from tradebot.domain.enums import Direction
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams

__all__ = ["Grid", "GridParams"]

_CONFIDENCE = 0.6


class GridParams(StrategyParams):
    lower: float | None = Field(
        default=None, gt=0, description="lowest level (none: first close × (1 − band))"
    )
    upper: float | None = Field(
        default=None, gt=0, description="highest level (none: first close × (1 + band))"
    )
    levels: int = Field(default=10, ge=2, le=1000, description="number of levels")
    band: float = Field(
        default=0.10, gt=0, lt=1, description="half-width of an anchored grid, fraction of price"
    )

    @model_validator(mode="after")
    def _bounds(self) -> GridParams:
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both lower and upper, or neither (anchored grid)")
        if self.lower is not None and self.upper is not None and self.lower >= self.upper:
            raise ValueError(f"lower ({self.lower}) must be below upper ({self.upper})")
        return self


def _levels(lower: float, upper: float, count: int) -> list[float]:
    step = (upper - lower) / (count - 1)
    return [lower + i * step for i in range(count)]


class Grid(ClosePriceStrategy[GridParams]):
    """Evenly spaced levels: buy on falling through a level, sell on rising through one."""

    name = "grid"
    params_model = GridParams

    @property
    def warmup_period(self) -> int:
        return 2

    def reset(self) -> None:
        p = self.params
        self._grid: list[float] | None = (
            _levels(p.lower, p.upper, p.levels)
            if p.lower is not None and p.upper is not None
            else None
        )
        self._prev: float | None = None

    def on_close(self, close: float) -> Opinion | None:
        prev, self._prev = self._prev, close
        grid = self._grid
        if grid is None:
            band = self.params.band
            grid = self._grid = _levels(close * (1 - band), close * (1 + band), self.params.levels)
        if prev is None or close == prev:
            return None
        if close < prev:
            crossed = bisect_left(grid, prev) - bisect_left(grid, close)
            direction, verb = Direction.LONG, "fell through"
        else:
            crossed = bisect_right(grid, close) - bisect_right(grid, prev)
            direction, verb = Direction.SHORT, "rose through"
        if crossed == 0:
            return None
        return Opinion(
            direction,
            min(1.0, 0.5 * crossed),
            _CONFIDENCE,
            f"price {verb} {crossed} grid level{'s' if crossed > 1 else ''} to {close:g}",
        )
