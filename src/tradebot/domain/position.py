"""An open position in the ledger, long or short."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from tradebot.domain.enums import Direction

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
    side: Direction = Direction.LONG
    """LONG holds ``quantity`` shares; SHORT owes them (entered by selling, left by buying)."""
    borrow_cost: Decimal = Decimal(0)
    """Stock-borrow fee charged so far on a short."""
    borrow_since: datetime | None = None
    """Until when the borrow fee of a short has been charged (it accrues from there)."""

    @property
    def signed_quantity(self) -> Decimal:
        """Shares held (> 0) or owed (< 0)."""
        return self.quantity if self.side is Direction.LONG else -self.quantity

    @property
    def market_value(self) -> Decimal:
        """What the position adds to equity: held shares at the mark, owed ones negative."""
        return self.signed_quantity * self.last_price
