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

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, model_validator

from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams

__all__ = ["Grid", "GridParams"]

_CONFIDENCE = 0.6

FloatArray = NDArray[np.float64]


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
        else:
            crossed = bisect_right(grid, close) - bisect_right(grid, prev)
        if crossed == 0:
            return None
        return self._opinion(close, crossed, close < prev)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_close` over a block, vectorised exactly: the first close ever seen
        (which anchors the grid and, with no predecessor, never has an opinion) goes
        through :meth:`on_close`; the rest through :meth:`_crossings`."""
        closes = bars.close
        if len(closes) == 0:
            return []
        skip = 0
        if self._prev is None:
            self.on_close(float(closes[0]))
            skip = 1
        return [(skip + i, opinion) for i, opinion in self._crossings(closes[skip:])]

    def _crossings(self, closes: FloatArray) -> list[tuple[int, Opinion]]:
        """Opinions over closes that all have a predecessor and a grid: ``np.searchsorted``
        on the levels is ``bisect`` (the same ``<`` comparisons on the same floats), and
        only the bars that crossed a level build an opinion."""
        if len(closes) == 0 or self._prev is None or self._grid is None:
            return []
        levels = np.array(self._grid, dtype=np.float64)
        prevs = np.empty_like(closes)
        prevs[0] = self._prev
        prevs[1:] = closes[:-1]
        self._prev = float(closes[-1])
        fell = closes < prevs
        crossed = np.where(
            fell,
            np.searchsorted(levels, prevs, "left") - np.searchsorted(levels, closes, "left"),
            np.searchsorted(levels, closes, "right") - np.searchsorted(levels, prevs, "right"),
        )
        crossed[closes == prevs] = 0
        hits = np.flatnonzero(crossed)
        return [
            (i, self._opinion(close, count, down))
            for i, close, count, down in zip(
                hits.tolist(),
                closes[hits].tolist(),
                crossed[hits].tolist(),
                fell[hits].tolist(),
                strict=True,
            )
        ]

    def _opinion(self, close: float, crossed: int, fell: bool) -> Opinion:
        """The opinion after ``crossed`` levels, shared by both paths."""
        direction, verb = (
            (Direction.LONG, "fell through") if fell else (Direction.SHORT, "rose through")
        )
        return Opinion(
            direction,
            min(1.0, 0.5 * crossed),
            _CONFIDENCE,
            f"price {verb} {crossed} grid level{'s' if crossed > 1 else ''} to {close:g}",
        )
