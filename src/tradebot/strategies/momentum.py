"""Momentum (``momentum``): price crossing its moving average on rising volume.

Idea: a close breaking through its ``period``-bar simple moving average on above-average
volume starts a move worth following. Entry: LONG when the close crosses above SMA(``period``)
and the bar's volume exceeds ``volume_factor`` × the mean volume of the ``volume_period``
bars before it (a cross without that volume is ignored and needs a fresh cross). Exit: SHORT
(leave the long) when the close crosses below the SMA, whatever the volume — an exit needs no
confirmation. Crosses follow the last-non-zero-sign rule of :mod:`tradebot.strategies.cross`.
Strength: proportional to the close's distance from the SMA, |close − SMA| / SMA ÷
``full_strength_at``, capped at 1; confidence a fixed 0.6. Zero-volume data never confirms an
entry. (The SMA-cross strategy this name used to denote is now ``sma_cross``.)
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from tradebot.domain.bar import Bar
from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import SMA
from tradebot.strategies.base import BaseStrategy, Opinion, StrategyContext, StrategyParams
from tradebot.strategies.cross import CrossDetector

__all__ = ["VolumeMomentum", "VolumeMomentumParams"]

_CONFIDENCE = 0.6


class VolumeMomentumParams(StrategyParams):
    period: int = Field(default=20, ge=2, le=1000, description="SMA period of the close (bars)")
    volume_period: int = Field(
        default=20, ge=1, le=1000, description="bars in the average volume before the cross"
    )
    volume_factor: float = Field(
        default=1.0, ge=0, le=100, description="entry volume must exceed this × average"
    )
    full_strength_at: float = Field(
        default=0.02, gt=0, le=1, description="distance from the SMA (fraction) for strength 1"
    )


class VolumeMomentum(BaseStrategy[VolumeMomentumParams]):
    """Close crossing its SMA on rising volume: long on the cross up, exit on the cross down."""

    name = "momentum"
    params_model = VolumeMomentumParams

    @property
    def warmup_period(self) -> int:
        return max(self.params.period, self.params.volume_period)

    def reset(self) -> None:
        self._sma = SMA(self.params.period)
        self._volume = SMA(self.params.volume_period)
        self._volume_before = float("nan")  # mean volume of the bars before the current one
        self._cross = CrossDetector()

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        close = bar.close
        sma = self._sma.update(close)
        volume_before = self._volume_before
        self._volume_before = self._volume.update(bar.volume)
        if sma != sma:  # NaN during warm-up
            return None
        diff = close - sma
        cross = self._cross.update(diff, close)
        if cross == 0:
            return None
        return self._opinion(cross, close, sma, diff, bar.volume, volume_before)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_bar` over a block, vectorised bit for bit: both SMAs advance in bulk
        (``update_many``), the close−SMA differences are the same float subtractions, the
        crosses come from :meth:`CrossDetector.update_many`, and only the crossing bars
        reach the scalar :meth:`_opinion` — so no ``Bar`` (or method call) per bar.
        Momentum reads nothing from its context, so it may offer the hook."""
        m = len(bars)
        if m == 0:
            return []
        sma = self._sma.update_many(bars.close)
        volume_means = self._volume.update_many(bars.volume)
        volume_before = np.empty(m)  # what on_bar reads before its own volume update
        volume_before[0] = self._volume_before
        volume_before[1:] = volume_means[:-1]
        self._volume_before = float(volume_means[-1])
        ready = np.flatnonzero(~np.isnan(sma))
        closes = bars.close[ready]
        diff = closes - sma[ready]
        crosses = self._cross.update_many(diff, closes)
        hits = np.flatnonzero(crosses)
        at = ready[hits]
        out: list[tuple[int, Opinion]] = []
        for i, cross, close, mean, gap, volume, before in zip(
            at.tolist(),
            crosses[hits].tolist(),
            closes[hits].tolist(),
            sma[at].tolist(),
            diff[hits].tolist(),
            bars.volume[at].tolist(),
            volume_before[at].tolist(),
            strict=True,
        ):
            opinion = self._opinion(cross, close, mean, gap, volume, before)
            if opinion is not None:
                out.append((i, opinion))
        return out

    def _opinion(
        self, cross: int, close: float, sma: float, diff: float, volume: float, before: float
    ) -> Opinion | None:
        """The opinion at a cross (``diff`` = close − ``sma``), or ``None`` for an entry
        without the volume; shared by both paths so they cannot disagree."""
        p = self.params
        if cross > 0 and not volume > p.volume_factor * before:  # False on NaN
            return None
        distance = abs(diff) / sma
        return Opinion(
            Direction.LONG if cross > 0 else Direction.SHORT,
            min(1.0, distance / p.full_strength_at),
            _CONFIDENCE,
            f"close crossed {'above' if cross > 0 else 'below'} SMA{p.period} "
            f"({distance:.2%} away"
            + (f", volume {volume:g} > {p.volume_factor:g}× average)" if cross > 0 else ")"),
        )
