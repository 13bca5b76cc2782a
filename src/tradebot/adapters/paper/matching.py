"""Pure intrabar price rules of the paper broker: does a working order fill on a bar, and at what.

A daily bar tells us only open, high, low and close, not the path between them. The rules
below assume the worst path that the bar allows for the trader, and they treat the open as
the first price traded, so a gap through a level fills at the open, not at the level:

* MARKET: fills at the open, moved by the slippage against the trader.
* LIMIT buy: fills when ``low <= limit``, at ``min(open, limit)``; LIMIT sell: when
  ``high >= limit``, at ``max(open, limit)``. No slippage: a limit price is a promise.
* STOP buy: triggers when ``high >= stop``, fills at ``max(open, stop) × (1 + slippage)``;
  STOP sell: triggers when ``low <= stop``, fills at ``min(open, stop) × (1 − slippage)``.
  A stop becomes a market order once touched, hence the slippage.
* STOP_LIMIT: triggers like a stop. On the bar it triggers it fills only if the trigger
  price (``max(open, stop)`` for a buy, ``min(open, stop)`` for a sell) is itself within the
  limit, and then at that trigger price without slippage; we cannot know whether the price
  came back to the limit later in the bar, so it never fills on the rest of that bar. From
  the next bar on it is a plain LIMIT order.

A match also says *when* in the bar the order filled, as far as the bar can tell: at the open
(a market order, a stop already triggered, any order the open gapped through or met), or
somewhere inside the bar (a level reached later), whose time a daily bar does not give.

The functions take prices as ``Decimal`` built from the bar's floats with ``repr`` so that a
fill is exactly the data's price, never a binary-float neighbour of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderType
from tradebot.domain.messages import Order

__all__ = ["BarPrices", "Match", "match"]


class BarPrices:
    """The bar's open, high and low as exact decimals, each converted on first use (a
    market order reads only the open)."""

    __slots__ = ("_bar", "_high", "_low", "_open")

    def __init__(self, bar: Bar) -> None:
        self._bar = bar
        self._open: Decimal | None = None
        self._high: Decimal | None = None
        self._low: Decimal | None = None

    @classmethod
    def of(cls, bar: Bar) -> BarPrices:
        return cls(bar)

    @property
    def open(self) -> Decimal:
        if self._open is None:
            self._open = Decimal(repr(self._bar.open))
        return self._open

    @property
    def high(self) -> Decimal:
        if self._high is None:
            self._high = Decimal(repr(self._bar.high))
        return self._high

    @property
    def low(self) -> Decimal:
        if self._low is None:
            self._low = Decimal(repr(self._bar.low))
        return self._low


class Match(NamedTuple):
    """The outcome for one order on one bar.

    ``price`` is the fill price, or ``None`` when the order keeps working; ``triggered``
    tells whether a stop-limit's stop was touched (it then rests as a limit); ``at_open``
    whether the fill happened at the bar's open (its first trade) rather than later in it.
    """

    price: Decimal | None
    triggered: bool = False
    at_open: bool = False


def _limit_price(side: OrderSide, limit: Decimal, bar: BarPrices) -> Decimal | None:
    if side is OrderSide.BUY:
        return min(bar.open, limit) if bar.low <= limit else None
    return max(bar.open, limit) if bar.high >= limit else None


def _stop_trigger(side: OrderSide, stop: Decimal, bar: BarPrices) -> Decimal | None:
    """The price at which the stop is touched on this bar, before slippage, or ``None``."""
    if side is OrderSide.BUY:
        return max(bar.open, stop) if bar.high >= stop else None
    return min(bar.open, stop) if bar.low <= stop else None


def _slipped(side: OrderSide, price: Decimal, slippage: Decimal) -> Decimal:
    if not slippage:
        return price
    sign = 1 if side is OrderSide.BUY else -1
    return price * (1 + sign * slippage)


def match(order: Order, bar: BarPrices, *, slippage: Decimal, triggered: bool = False) -> Match:
    """Apply the module's rules to ``order`` on ``bar``.

    ``triggered`` says the order's stop was already touched on an earlier bar: a stop-limit
    then rests as a limit, and a stop (partly filled, the rest working) as a market order.
    """
    side = order.side
    if order.type is OrderType.MARKET or (triggered and order.type is OrderType.STOP):
        opened = bar.open if not slippage else _slipped(side, bar.open, slippage)
        return Match(opened, triggered, True)  # at the open
    if order.type is OrderType.LIMIT:
        assert order.limit_price is not None
        price = _limit_price(side, order.limit_price, bar)
        return Match(price, at_open=price is not None and price == bar.open)
    assert order.stop_price is not None
    if order.type is OrderType.STOP:
        hit = _stop_trigger(side, order.stop_price, bar)
        if hit is None:
            return Match(None)
        return Match(_slipped(side, hit, slippage), True, at_open=hit == bar.open)
    assert order.limit_price is not None  # STOP_LIMIT
    limit = order.limit_price
    if triggered:
        price = _limit_price(side, limit, bar)
        return Match(price, True, at_open=price is not None and price == bar.open)
    hit = _stop_trigger(side, order.stop_price, bar)
    if hit is None:
        return Match(None)
    within = hit <= limit if side is OrderSide.BUY else hit >= limit
    return Match(hit if within else None, True, at_open=within and hit == bar.open)
