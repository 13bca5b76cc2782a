"""The moving-average cross shared by ``sma_cross`` and ``ema_cross``.

Both strategies are one rule with a different average: LONG when the fast average crosses
above the slow one (golden cross), SHORT (leave the long) when it crosses below (death
cross), by the last-non-zero-sign rule of :mod:`tradebot.strategies.cross` (a tie is no
cross). Strength is 0.5 at a bare cross, rising to 1.0 when the averages are 5 % of the price
apart; confidence is a fixed 0.6, since one technical rule has no calibrated view of its own
accuracy. A subclass names its average and its parameter defaults.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import model_validator

from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.strategies.base import ClosePriceStrategy, Opinion, StrategyParams
from tradebot.strategies.cross import CrossDetector, cross_strength, cross_strengths

__all__ = ["FastSlowParams", "MovingAverageCross"]

_CONFIDENCE = 0.6
_FULL_STRENGTH_GAP = 0.05


FloatArray = NDArray[np.float64]


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


class MovingAverageCross(ClosePriceStrategy[P]):
    average: ClassVar[type[_Average]]
    label: ClassVar[str]

    @property
    def warmup_period(self) -> int:
        return self.params.slow

    def reset(self) -> None:
        self._fast = self.average(self.params.fast)  # type: ignore[call-arg]
        self._slow = self.average(self.params.slow)  # type: ignore[call-arg]
        self._cross = CrossDetector()

    def on_close(self, close: float) -> Opinion | None:
        fast = self._fast.update(close)
        slow = self._slow.update(close)
        if fast != fast or slow != slow:  # NaN during warm-up
            return None
        diff = fast - slow
        cross = self._cross.update(diff, close)
        if cross == 0:
            return None
        return self._opinion(cross, diff, close)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        """:meth:`on_close` over a block: both averages advance in bulk bit for bit
        (``update_many``: vectorised for the SMA, one local loop for the EMA), then the
        crosses are vectorised; an average without ``update_many`` takes the same objects
        in a local loop — identical values either way, without a method call per bar."""
        fast_many = getattr(self._fast, "update_many", None)
        slow_many = getattr(self._slow, "update_many", None)
        if fast_many is not None and slow_many is not None:
            return self._on_bars_vectorised(fast_many(bars.close), slow_many(bars.close), bars)
        fast_update, slow_update = self._fast.update, self._slow.update
        cross_update = self._cross.update
        out: list[tuple[int, Opinion]] = []
        for i, close in enumerate(bars.close.tolist()):
            fast = fast_update(close)
            slow = slow_update(close)
            if fast != fast or slow != slow:
                continue
            diff = fast - slow
            cross = cross_update(diff, close)
            if cross:
                out.append((i, self._opinion(cross, diff, close)))
        return out

    def _on_bars_vectorised(
        self, fast: FloatArray, slow: FloatArray, bars: SymbolBars
    ) -> list[tuple[int, Opinion]]:
        ready = np.flatnonzero(~(np.isnan(fast) | np.isnan(slow)))
        diff = fast[ready] - slow[ready]
        closes = bars.close[ready]
        crosses = self._cross.update_many(diff, closes)
        hits = np.flatnonzero(crosses)
        strengths = cross_strengths(diff[hits], closes[hits], _FULL_STRENGTH_GAP)
        long, short = self._reasons[True], self._reasons[False]
        return [
            (
                i,
                Opinion(Direction.LONG, s, _CONFIDENCE, long)
                if up > 0
                else Opinion(Direction.SHORT, s, _CONFIDENCE, short),
            )
            for i, up, s in zip(
                ready[hits].tolist(), crosses[hits].tolist(), strengths.tolist(), strict=True
            )
        ]

    def _opinion(self, cross: int, diff: float, close: float) -> Opinion:
        up = cross > 0
        return Opinion(
            Direction.LONG if up else Direction.SHORT,
            cross_strength(diff, close, _FULL_STRENGTH_GAP),
            _CONFIDENCE,
            self._reasons[up],
        )

    @cached_property
    def _reasons(self) -> dict[bool, str]:
        """The two reasons this instance can give (made once, not per cross)."""
        p, name = self.params, self.label
        return {
            up: f"{'golden' if up else 'death'} cross: {name}{p.fast} crossed "
            f"{'above' if up else 'below'} {name}{p.slow}"
            for up in (True, False)
        }
