"""Tax lots: FIFO by quantity, and the wash-sale flag.

Every buy fill opens a lot; a sell consumes the oldest lots first, splitting a lot when the
sale ends inside it, so realised P&L per slice is ``(exit − cost basis) × quantity`` and the
quantities always add up (the mistake of pairing trades by count is not possible here).

A slice closed at a loss is flagged as a **wash sale** when the same symbol is bought within
``days`` (30) before or after the sale: before means shares still held after the sale that
were acquired in the window (shares sold in the same sale are not replacements), after
means any later buy, which flags the earlier loss retroactively. The flag is per slice, not
pro-rated to the replacement quantity; the ledger keeps the slice and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

__all__ = ["ClosedLot", "TaxLot", "TaxLotBook", "buy_lot", "sell_fifo"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TaxLot:
    lot_id: str
    symbol: str
    quantity: Decimal
    cost_basis: Decimal
    acquired_at: datetime


@dataclass(frozen=True, slots=True)
class ClosedLot:
    """A sold slice of a lot with its realised P&L."""

    lot_id: str
    symbol: str
    quantity: Decimal
    cost_basis: Decimal
    acquired_at: datetime
    closed_at: datetime
    exit_price: Decimal
    realized_pnl: Decimal
    wash_sale: bool = False
    wash_sale_detail: str = ""


@dataclass(frozen=True, slots=True)
class TaxLotBook:
    """Open lots in acquisition order, and losses young enough to be washed by a buy."""

    open_lots: tuple[TaxLot, ...] = ()
    recent_losses: tuple[ClosedLot, ...] = ()

    def held(self, symbol: str) -> Decimal:
        return sum((lot.quantity for lot in self.open_lots if lot.symbol == symbol), _ZERO)


def buy_lot(book: TaxLotBook, lot: TaxLot, days: int) -> tuple[TaxLotBook, list[ClosedLot]]:
    """Open a lot; return earlier losses this purchase turns into wash sales."""
    window = timedelta(days=days)
    flagged: list[ClosedLot] = []
    kept: list[ClosedLot] = []
    for loss in book.recent_losses:
        if lot.acquired_at - loss.closed_at > window:
            continue  # too old to be washed by this or any later buy
        if loss.symbol == lot.symbol and not loss.wash_sale and lot.acquired_at >= loss.closed_at:
            detail = f"repurchased {lot.quantity} on {lot.acquired_at.date()} (lot {lot.lot_id})"
            loss = replace(loss, wash_sale=True, wash_sale_detail=detail)
            flagged.append(loss)
        kept.append(loss)
    return TaxLotBook((*book.open_lots, lot), tuple(kept)), flagged


def sell_fifo(
    book: TaxLotBook, symbol: str, quantity: Decimal, price: Decimal, ts: datetime, days: int
) -> tuple[TaxLotBook, list[ClosedLot]]:
    """Consume ``quantity`` of ``symbol`` oldest lot first; the closed slices in order."""
    if quantity <= 0:
        raise ValueError(f"sell quantity must be positive, got {quantity}")
    held = book.held(symbol)
    if quantity > held:
        raise ValueError(f"selling {quantity} {symbol} but the tax lots hold only {held}")
    left = quantity
    closed: list[ClosedLot] = []
    remaining: list[TaxLot] = []
    for lot in book.open_lots:
        if lot.symbol != symbol or left <= 0:
            remaining.append(lot)
            continue
        take = min(left, lot.quantity)
        left -= take
        closed.append(
            ClosedLot(
                lot.lot_id,
                symbol,
                take,
                lot.cost_basis,
                lot.acquired_at,
                ts,
                price,
                (price - lot.cost_basis) * take,
            )
        )
        if take < lot.quantity:
            remaining.append(replace(lot, quantity=lot.quantity - take))
    window = timedelta(days=days)
    replacements = [
        lot
        for lot in remaining
        if lot.symbol == symbol and timedelta(0) <= ts - lot.acquired_at <= window
    ]
    marked: list[ClosedLot] = []
    for piece in closed:
        if piece.realized_pnl < 0 and replacements:
            first = replacements[0]
            detail = f"replacement lot {first.lot_id} bought {first.acquired_at.date()}"
            piece = replace(piece, wash_sale=True, wash_sale_detail=detail)
        marked.append(piece)
    losses = [p for p in marked if p.realized_pnl < 0]
    recent = tuple(x for x in book.recent_losses if ts - x.closed_at <= window) + tuple(losses)
    return TaxLotBook(tuple(remaining), recent), marked
