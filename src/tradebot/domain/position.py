"""An open position in the ledger (long-only for now; shorts come with the backtester)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

__all__ = ["Position"]


@dataclass(slots=True)
class Position:
    """Quantity held, its average cost, and what has been sold of the round trip so far.

    Mutable: the portfolio owns it and applies fills to it. ``bought_quantity`` and the
    ``sold_*`` fields let a round trip that was closed in several partial sells still report
    one :class:`~tradebot.domain.messages.ClosedTrade` with quantity-weighted prices.
    """

    symbol: str
    quantity: Decimal
    avg_price: Decimal
    opened_at: datetime
    entry_decision_id: str
    entry_commission: Decimal = Decimal(0)
    strategies: tuple[str, ...] = ()
    last_price: Decimal = field(default=Decimal(0))
    bought_quantity: Decimal = Decimal(0)
    bought_notional: Decimal = Decimal(0)
    sold_quantity: Decimal = Decimal(0)
    sold_notional: Decimal = Decimal(0)
    exit_commission: Decimal = Decimal(0)

    @property
    def market_value(self) -> Decimal:
        return self.quantity * self.last_price
