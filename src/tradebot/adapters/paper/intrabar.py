"""Which leg of a bracket came first, when one bar reached both: ask a finer timeframe.

A daily bar that touched both the stop-loss and the take-profit does not say which came
first; the pessimistic rule (stop first) is the default. When bars of a finer timeframe
exist for that day, they are replayed through the same matching rules, in time order, and
the first leg that fills on one of them wins, at that finer bar's price (a gap on the finer
bar fills at its open) and time (its open for a gap, else its close). Inside one finer bar
that again reaches both, the stop wins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from tradebot.adapters.paper.matching import BarPrices, match
from tradebot.domain.bar import Bar
from tradebot.domain.messages import Order

__all__ = ["FinerBars", "first_leg"]

FinerBars = Callable[[str, datetime, datetime], Sequence[Bar]]
"""(symbol, after, until) -> the finer bars that closed in ``(after, until]``, in order."""


def first_leg(
    stop: Order, target: Order, finer: Sequence[Bar], slippage: Decimal
) -> tuple[Order, Decimal, datetime] | None:
    """The leg that fills first on ``finer``, its price and when (the finer bar's open if
    it filled there, else its close), or ``None`` when neither fills there (the finer data
    disagrees with the coarse bar: the caller keeps its rule)."""
    for bar in finer:
        prices = BarPrices.of(bar)
        for leg in (stop, target):
            result = match(leg, prices, slippage=slippage)
            if result.price is not None:
                opened = bar.ts - timedelta(seconds=bar.timeframe.seconds)
                return leg, result.price, opened if result.at_open else bar.ts
    return None
