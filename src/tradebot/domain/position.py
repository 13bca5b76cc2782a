"""An open position in the ledger (long-only for now; shorts come with the backtester)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = ["Position"]


@dataclass(slots=True)
class Position:
    """Quantity held and its average cost. Mutable: the portfolio owns and updates it."""

    symbol: str
    quantity: Decimal
    avg_price: Decimal
    opened_at: datetime
    entry_decision_id: str
    entry_commission: Decimal = Decimal(0)
    strategies: tuple[str, ...] = ()
    last_price: Decimal = field(default=Decimal(0))

    @property
    def market_value(self) -> Decimal:
        return self.quantity * self.last_price
