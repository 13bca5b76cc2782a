"""The simulated venue's own account: the cash and holdings the paper broker checks orders
against.

A real broker refuses an order the account cannot pay for, whatever the trading system
believes; the paper broker does the same from its own books, kept from its own fills, so
a bug in the kernel's ledger cannot buy with money that is not there. Without an initial
cash the account is unlimited (the venue checks nothing), which some unit tests use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradebot.domain.enums import OrderSide
from tradebot.domain.messages import Fill

__all__ = ["VenueAccount"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class VenueAccount:
    cash: Decimal | None = None
    """``None``: unlimited (no check)."""
    holdings: dict[str, Decimal] = field(default_factory=dict)

    def apply(self, fill: Fill) -> None:
        signed = fill.quantity if fill.side is OrderSide.BUY else -fill.quantity
        held = self.holdings.get(fill.symbol, _ZERO) + signed
        if held:
            self.holdings[fill.symbol] = held
        else:
            self.holdings.pop(fill.symbol, None)
        if self.cash is not None:
            self.cash -= signed * fill.price + fill.commission

    def shares_short(self, fill: Fill) -> str | None:
        """Why this SELL cannot be delivered without borrowing (it sells more than the
        account holds), or ``None`` if it can or the account is unlimited."""
        if self.cash is None or fill.side is not OrderSide.SELL:
            return None
        held = self.holdings.get(fill.symbol, _ZERO)
        if fill.quantity <= held:
            return None
        return (
            f"insufficient shares: selling {fill.quantity} {fill.symbol} but only {held} held "
            "(short selling is off: set risk.allow_short)"
        )

    def shortfall(self, fill: Fill) -> str | None:
        """Why this BUY ``fill`` cannot be paid for from the cash now in the account (earlier
        fills on the same bar already applied), or ``None`` if it can or cash is unlimited."""
        if self.cash is None or fill.side is not OrderSide.BUY:
            return None
        cost = fill.price * fill.quantity + fill.commission
        available = self.cash
        if cost <= available:
            return None
        return (
            f"insufficient cash: the fill costs {cost} (price {fill.price} × {fill.quantity} "
            f"+ commission {fill.commission}) but only {available} is available, "
            f"short by {cost - available}"
        )
