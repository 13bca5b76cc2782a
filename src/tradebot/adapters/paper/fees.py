"""What a fill costs: percent of notional, per share, per order, with a minimum.

``fee = max(minimum, rate × price × quantity + per_share × quantity + per_order)`` covers the
common schedules — crypto venues (rate only), US brokers per share with a minimum (e.g. 0.005
per share, minimum 1.00), flat per-order tickets — and their mixes. Fractions of a cent are
kept (rounded to 1e-10), as crypto venues charge them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tradebot.config import BrokerSettings

__all__ = ["FeeSchedule"]

_FEE_PLACES = Decimal("1e-10")
_UNIT_PLACES = Decimal("1e-12")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    rate: Decimal = _ZERO
    per_share: Decimal = _ZERO
    per_order: Decimal = _ZERO
    minimum: Decimal = _ZERO

    def __post_init__(self) -> None:
        for name in ("rate", "per_share", "per_order", "minimum"):
            if getattr(self, name) < 0:
                raise ValueError(f"fee {name} must be >= 0")

    @classmethod
    def of(cls, broker: BrokerSettings) -> FeeSchedule:
        """The schedule the settings' ``broker`` section describes."""
        return cls(
            rate=broker.commission_rate,
            per_share=broker.commission_per_share,
            per_order=broker.commission_per_order,
            minimum=broker.commission_min,
        )

    def fee(self, price: Decimal, quantity: Decimal) -> Decimal:
        if not (self.per_share or self.per_order or self.minimum):  # a plain rate
            return (price * quantity * self.rate).quantize(_FEE_PLACES)
        variable = price * quantity * self.rate + quantity * self.per_share + self.per_order
        return max(self.minimum, variable.quantize(_FEE_PLACES))

    def units_for(self, cash: Decimal, price: Decimal) -> Decimal:
        """The most units ``cash`` buys at ``price`` with the fee paid out of it too.

        ``price·u + max(variable(u), minimum) <= cash`` holds exactly when both
        ``price·u + variable(u) <= cash`` and ``price·u + minimum <= cash`` do, so the answer
        is the smaller of the two linear bounds; the rounded fee is then checked exactly, so
        the units never cost more than ``cash``."""
        return self.affordable(cash, price)[0]

    def affordable(self, cash: Decimal, price: Decimal) -> tuple[Decimal, Decimal | None]:
        """:meth:`units_for` and the fee of those units (``fee(price, units)``), which the
        last check computed already; ``None`` when no unit is affordable."""
        per_unit = price * (1 + self.rate) + self.per_share
        by_variable = (cash - self.per_order) / per_unit
        if self.minimum:
            by_variable = min(by_variable, (cash - self.minimum) / price)
        units = by_variable.quantize(_UNIT_PLACES, rounding=ROUND_DOWN)
        # the fee is rounded to 1e-10 and may round up past the cash: step back by whole
        # unit quanta until the exact total fits (one step in practice, never more than two)
        while units > 0:
            fee = self.fee(price, units)
            excess = price * units + fee - cash
            if not excess > 0:
                return units, fee
            steps = (excess / per_unit / _UNIT_PLACES).to_integral_value(rounding=ROUND_CEILING)
            units -= max(steps, Decimal(1)) * _UNIT_PLACES
        return max(units, _ZERO), None
