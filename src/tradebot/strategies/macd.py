"""MACD (``macd``): the histogram crossing zero, i.e. MACD crossing its signal line.

Idea: the MACD line (EMA(``fast``) − EMA(``slow``)) measures trend; its own EMA(``signal``)
smooths it, and the histogram (MACD − signal) changing sign marks momentum turning. Entry:
LONG when the histogram crosses from below zero to above. Exit: SHORT when it crosses from
above to below. Crosses follow the last-non-zero-sign rule of
:mod:`tradebot.strategies.cross` (a zero histogram is no cross). Values follow TA-Lib's MACD,
whose first histogram appears at bar ``slow + signal − 1``. Strength: 0.5 at a bare cross,
rising to 1.0 when the histogram moved by 0.5 % of the price over the crossing bar (a
decisive turn); confidence a fixed 0.6.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import MACD
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams
from tradebot.strategies.cross import CrossDetector, cross_strength, cross_strengths

__all__ = ["Macd", "MacdParams"]

_CONFIDENCE = 0.6
FULL_STRENGTH_SWING = 0.005
"""Full strength at a histogram swing of 0.5 % of the price (the vectorised path uses it too)."""


class MacdParams(StrategyParams):
    fast: int = Field(default=12, ge=1, le=500, description="fast EMA period (bars)")
    slow: int = Field(default=26, ge=2, le=1000, description="slow EMA period (bars)")
    signal: int = Field(default=9, ge=1, le=500, description="signal EMA period (bars)")

    @model_validator(mode="after")
    def _fast_below_slow(self) -> MacdParams:
        if self.fast >= self.slow:
            raise ValueError(f"fast ({self.fast}) must be smaller than slow ({self.slow})")
        return self


class Macd(ClosePriceStrategy[MacdParams]):
    """MACD histogram crossing zero: long on the cross up, exit on the cross down."""

    name = "macd"
    params_model = MacdParams

    @property
    def warmup_period(self) -> int:
        return self.params.slow + self.params.signal - 1

    def reset(self) -> None:
        p = self.params
        self._macd = MACD(p.fast, p.slow, p.signal)
        self._cross = CrossDetector()
        self._prev_hist = 0.0

    def on_close(self, close: float) -> Opinion | None:
        _, _, hist = self._macd.update(close)
        if hist != hist:  # NaN during warm-up
            return None
        prev, self._prev_hist = self._prev_hist, hist
        cross = self._cross.update(hist, close)
        if cross == 0:
            return None
        return self._opinion(
            cross, cross_strength(hist - prev, close, FULL_STRENGTH_SWING), prev, hist
        )

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_close` over a block, bit for bit: the MACD advances in one local loop
        (``histogram_many``: EMA recursions cannot be vectorised exactly), then the previous
        histogram, the crosses and the strengths are vectorised with the same float
        operations (:meth:`CrossDetector.update_many`, :func:`cross_strengths`); only the
        crossing bars build an opinion."""
        closes = bars.close
        hist = self._macd.histogram_many(closes)
        ready = np.flatnonzero(~np.isnan(hist))
        if len(ready) == 0:
            return []
        hists, prices = hist[ready], closes[ready]
        prevs = np.empty_like(hists)
        prevs[0] = self._prev_hist
        prevs[1:] = hists[:-1]
        self._prev_hist = float(hists[-1])
        crosses = self._cross.update_many(hists, prices)
        hits = np.flatnonzero(crosses)
        strengths = cross_strengths(hists[hits] - prevs[hits], prices[hits], FULL_STRENGTH_SWING)
        return [
            (i, self._opinion(cross, strength, prev, now))
            for i, cross, strength, prev, now in zip(
                ready[hits].tolist(),
                crosses[hits].tolist(),
                strengths.tolist(),
                prevs[hits].tolist(),
                hists[hits].tolist(),
                strict=True,
            )
        ]

    def _opinion(self, cross: int, strength: float, prev: float, hist: float) -> Opinion:
        """The opinion at a histogram cross, shared by both paths."""
        return Opinion(
            Direction.LONG if cross > 0 else Direction.SHORT,
            strength,
            _CONFIDENCE,
            f"MACD histogram crossed {'above' if cross > 0 else 'below'} zero "
            f"({prev:.4g} -> {hist:.4g})",
        )
