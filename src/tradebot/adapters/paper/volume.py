"""How much of an order a bar can absorb, and at what price: the volume-share fill model.

A real order cannot trade more than the market traded. With this model a bar fills at most
``limit`` of its own volume for one order (the rest keeps working on later bars, as a
partially filled order does at a venue), and the price moves against the trader by
``impact × share²`` of itself, where ``share`` is the fill's fraction of the bar's volume —
the quadratic impact of Zipline's ``VolumeShareSlippage``, so a fill of 2.5 % of the volume
at impact 0.1 costs 0.00625 %, and one of 25 % costs 0.625 %. A bar with no volume fills
nothing. Quantities of whole-share orders stay whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from tradebot.domain.enums import OrderSide, OrderType
from tradebot.domain.messages import Order

__all__ = ["VolumeShare", "within_limit"]

_UNIT = Decimal(1)
_FINE = Decimal("1e-8")


@dataclass(frozen=True, slots=True)
class VolumeShare:
    limit: Decimal = Decimal("0.025")
    impact: Decimal = Decimal("0.1")

    def __post_init__(self) -> None:
        if not 0 < self.limit <= 1:
            raise ValueError(f"volume limit must be in (0, 1], not {self.limit}")
        if self.impact < 0:
            raise ValueError(f"price impact must be >= 0, not {self.impact}")

    def quantity(self, wanted: Decimal, bar_volume: float) -> Decimal:
        """What of ``wanted`` this bar fills: at most ``limit`` of its volume, in whole
        units when ``wanted`` is whole."""
        if bar_volume <= 0:
            return Decimal(0)
        room = self.limit * Decimal(repr(bar_volume))
        step = _UNIT if wanted == wanted.to_integral_value() else _FINE
        return min(wanted, (room / step).to_integral_value(rounding=ROUND_DOWN) * step)

    def price(
        self, price: Decimal, side: OrderSide, quantity: Decimal, bar_volume: float
    ) -> Decimal:
        """``price`` moved against the trader by ``impact × share²``."""
        share = quantity / Decimal(repr(bar_volume))
        move = self.impact * share * share
        return price * (1 + move) if side is OrderSide.BUY else price * (1 - move)


def within_limit(order: Order, price: Decimal) -> Decimal:
    """Impact never takes a limit order through its limit."""
    limit = order.limit_price
    if limit is None or order.type is not OrderType.LIMIT:
        return price
    return min(price, limit) if order.side is OrderSide.BUY else max(price, limit)
