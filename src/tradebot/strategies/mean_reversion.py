"""Mean reversion (``mean_reversion``): buy oversold, sell overbought on Wilder's RSI.

Idea: after an unusually one-sided run of closes, price tends to revert. Entry: LONG on
every bar where RSI(``period``) is below ``oversold`` (30). Exit: SHORT on every bar where
it is above ``overbought`` (70). Level-based, not event-based: it keeps its view while the
RSI stays extreme. Strength: the RSI's extremity — (oversold − RSI) / oversold for a buy,
(RSI − overbought) / (100 − overbought) for a sell, so 0 at the threshold and 1 at RSI 0 or
100; confidence a fixed 0.6. A close unchanged for ``period`` bars is a flat market and gets
no opinion: TA-Lib's RSI reads 0 there, which is not "oversold". The first RSI value needs
``period`` price changes, so the warm-up is ``period + 1`` bars.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.indicators.stream import RSI
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams

__all__ = ["RsiMeanReversion", "RsiMeanReversionParams"]

_CONFIDENCE = 0.6

FloatArray = NDArray[np.float64]


class RsiMeanReversionParams(StrategyParams):
    period: int = Field(default=14, ge=2, le=500, description="RSI period (bars)")
    oversold: float = Field(default=30.0, gt=0, lt=50, description="buy below this RSI")
    overbought: float = Field(default=70.0, gt=50, lt=100, description="sell above this RSI")


class RsiMeanReversion(ClosePriceStrategy[RsiMeanReversionParams]):
    """RSI below oversold to buy, above overbought to sell; stronger the more extreme."""

    name = "mean_reversion"
    params_model = RsiMeanReversionParams

    @property
    def warmup_period(self) -> int:
        return self.params.period + 1

    def reset(self) -> None:
        self._rsi = RSI(self.params.period)
        self._prev_close = float("nan")
        self._unchanged = 0  # consecutive bars whose close equals the previous close

    def on_close(self, close: float) -> Opinion | None:
        rsi = self._rsi.update(close)
        self._unchanged = self._unchanged + 1 if close == self._prev_close else 0
        self._prev_close = close
        p = self.params
        if rsi != rsi or self._unchanged >= p.period:  # warm-up (NaN) or flat market
            return None
        return self._opinion(rsi)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_close` over a block, bit for bit: the RSI advances in one local loop
        (``update_many``: Wilder's smoothing cannot be vectorised exactly), the run of
        unchanged closes is counted in integers, vectorised, and only the bars where the
        RSI is extreme (and the market not flat) reach the scalar :meth:`_opinion`."""
        closes = bars.close
        m = len(closes)
        if m == 0:
            return []
        rsi = self._rsi.update_many(closes)
        unchanged = self._unchanged_runs(closes)
        p = self.params
        live = ~np.isnan(rsi) & (unchanged < p.period)
        extreme = live & ((rsi < p.oversold) | (rsi > p.overbought))
        out: list[tuple[int, Opinion]] = []
        for i, value in zip(np.flatnonzero(extreme).tolist(), rsi[extreme].tolist(), strict=True):
            opinion = self._opinion(value)
            if opinion is not None:
                out.append((i, opinion))
        return out

    def _unchanged_runs(self, closes: FloatArray) -> NDArray[np.int64]:
        """``_unchanged`` after each close of the block (the count :meth:`on_close` keeps),
        advancing ``_unchanged`` and ``_prev_close`` past the block."""
        m = len(closes)
        previous = np.empty(m)
        previous[0] = self._prev_close
        previous[1:] = closes[:-1]
        index = np.arange(m, dtype=np.int64)
        last_change = np.maximum.accumulate(np.where(closes == previous, -1, index))
        runs = np.where(last_change >= 0, index - last_change, self._unchanged + index + 1)
        self._unchanged = int(runs[-1])
        self._prev_close = float(closes[-1])
        return runs

    def _opinion(self, rsi: float) -> Opinion | None:
        """The opinion at a warmed-up RSI in a moving market (none between the levels),
        shared by both paths."""
        p = self.params
        if rsi < p.oversold:
            strength = (p.oversold - rsi) / p.oversold
            return Opinion(
                Direction.LONG, strength, _CONFIDENCE, f"RSI{p.period} {rsi:.1f} oversold"
            )
        if rsi > p.overbought:
            strength = (rsi - p.overbought) / (100.0 - p.overbought)
            return Opinion(
                Direction.SHORT, strength, _CONFIDENCE, f"RSI{p.period} {rsi:.1f} overbought"
            )
        return None
