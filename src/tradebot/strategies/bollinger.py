"""Bollinger (``bollinger``): fade a close outside the bands once it comes back inside.

Idea: a close outside the Bollinger bands (SMA(``period``) ± ``k`` population standard
deviations) is stretched; its return inside marks the stretch ending. Entry: LONG when the
close, having been below the lower band, closes back at or above it. Exit: SHORT when the
close, having been above the upper band, closes back at or below it. A re-entry counts only
when the band width (upper − lower) / middle is at least ``min_bandwidth``: in a squeeze
the bands are too tight for a stretch to mean anything, and the setup is cleared silently.
"Outside" means beyond the band by more than 1e-12 of the price, so float noise in a flat
market is not an excursion. Strength: 0.5 plus the deepest excursion beyond the band during
the episode, in band widths, capped at 1.0; confidence a fixed 0.6.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import Bollinger as BollingerBands
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams
from tradebot.strategies.cross import TIE_TOLERANCE

__all__ = ["Bollinger", "BollingerParams"]

_CONFIDENCE = 0.6


class BollingerParams(StrategyParams):
    period: int = Field(default=20, ge=2, le=1000, description="SMA / deviation window (bars)")
    k: float = Field(default=2.0, gt=0, le=10, description="band width in standard deviations")
    min_bandwidth: float = Field(
        default=0.02, ge=0, lt=1, description="minimum (upper − lower) / middle for a signal"
    )


class Bollinger(ClosePriceStrategy[BollingerParams]):
    """Re-entry into the Bollinger bands from outside, in bands wide enough to matter."""

    name = "bollinger"
    params_model = BollingerParams

    @property
    def warmup_period(self) -> int:
        return self.params.period

    def reset(self) -> None:
        self._bands = BollingerBands(self.params.period, self.params.k)
        self._side = 0  # -1: closed below the lower band, +1: above the upper band
        self._depth = 0.0  # deepest excursion of the episode, in band widths

    def on_close(self, close: float) -> Opinion | None:
        upper, middle, lower = self._bands.update(close)
        if middle != middle:  # NaN during warm-up
            return None
        return self._step(close, upper, middle, lower)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_close` over a block, bit for bit: the bands advance in one local loop
        (``update_many``), the outside test is vectorised with the same float operations,
        and :meth:`_step` runs only where it can change anything — at closes outside the
        bands and at the close right after one (or the block's first, carrying an episode
        in). Elsewhere a close inside with no episode open leaves side 0, depth 0.0 and
        says nothing, so skipping it is exact."""
        closes = bars.close
        upper, middle, lower = self._bands.update_many(closes)
        ready = ~np.isnan(middle)
        tol = TIE_TOLERANCE * np.abs(closes)
        outside = ready & ((closes < lower - tol) | (closes > upper + tol))
        after = np.empty_like(outside)
        if len(after):
            after[0] = self._side != 0
            after[1:] = outside[:-1]
        visit = np.flatnonzero(ready & (outside | after))
        out: list[tuple[int, Opinion]] = []
        for i, close, up, mid, low in zip(
            visit.tolist(),
            closes[visit].tolist(),
            upper[visit].tolist(),
            middle[visit].tolist(),
            lower[visit].tolist(),
            strict=True,
        ):
            opinion = self._step(close, up, mid, low)
            if opinion is not None:
                out.append((i, opinion))
        return out

    def _step(self, close: float, upper: float, middle: float, lower: float) -> Opinion | None:
        """The episode logic after a warmed-up bar, shared by both paths."""
        width = upper - lower
        tol = TIE_TOLERANCE * abs(close)
        if close < lower - tol or close > upper + tol:
            side = -1 if close < lower else 1
            beyond = (lower - close) if side < 0 else (close - upper)
            depth = beyond / width if width > 0 else 1.0
            self._depth = max(self._depth, depth) if side == self._side else depth
            self._side = side
            return None
        side, depth = self._side, self._depth
        self._side, self._depth = 0, 0.0
        if side == 0 or width < self.params.min_bandwidth * middle:
            return None
        return Opinion(
            Direction.LONG if side < 0 else Direction.SHORT,
            min(1.0, 0.5 + depth),
            _CONFIDENCE,
            f"close back inside the Bollinger bands from {'below' if side < 0 else 'above'} "
            f"({lower:.4g} .. {upper:.4g}, bandwidth {width / middle:.2%})",
        )
