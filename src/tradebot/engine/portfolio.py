"""The ledger: cash, positions and realised P&L, all in ``Decimal``.

Fills are the only thing that move money. Bars only move the marks. When a position goes
back to zero the round trip becomes one :class:`ClosedTrade` (quantity-weighted entry and
exit prices, both commissions), so partial exits are paired by quantity, never by count.
P&L is realised when a round trip closes and is computed from exact notionals
(sold − bought − commissions), never from a divided average, so it is exact to the cent.
Invariant, held at every snapshot: ``equity == cash + sum(quantity × last close)``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide
from tradebot.domain.messages import ClosedTrade, Fill, PortfolioSnapshot
from tradebot.domain.position import Position
from tradebot.engine.ids import trade_id

__all__ = ["FillContext", "FloatHoldings", "Portfolio"]

_ZERO = Decimal(0)
_PRICE_PLACES = Decimal("1e-8")


def _price(value: Decimal) -> Decimal:
    """Average prices are reported to 8 places; P&L never goes through them."""
    return value.quantize(_PRICE_PLACES)


FillContext = Callable[[str], tuple[str, tuple[str, ...]]]
"""client order id -> (decision id, contributing strategies)."""

FloatHoldings = tuple[float, list[tuple[str, float, float]]]
"""(cash, [(symbol, quantity, average price), ...]) as floats."""


class Portfolio:
    """Long-only ledger for one cash account."""

    def __init__(self, initial_cash: Decimal, fill_context: FillContext) -> None:
        self.initial_cash = initial_cash
        self.cash = initial_cash
        self.realised_pnl = _ZERO
        self.positions: dict[str, Position] = {}
        self._marks: dict[str, float] = {}
        self._fill_context = fill_context
        self._float_view: FloatHoldings | None = None
        self.version = 0
        """Counts applied fills, so a caller can tell cheaply whether the ledger moved."""

    # --- events -----------------------------------------------------------------------
    def on_bar(self, bar: Bar) -> None:
        self._marks[bar.symbol] = bar.close

    def set_mark(self, symbol: str, close: float) -> None:
        """Mark ``symbol`` at ``close`` (the batch path marks without a ``Bar``)."""
        self._marks[symbol] = close

    def apply_fill(self, fill: Fill) -> ClosedTrade | None:
        """Move cash and quantity; return the round trip if this fill closed a position."""
        decision_id, strategies = self._fill_context(fill.client_order_id)
        self._float_view = None
        self.version += 1
        if fill.side is OrderSide.BUY:
            self._buy(fill, decision_id, strategies)
            return None
        return self._sell(fill, decision_id)

    def _buy(self, fill: Fill, decision_id: str, strategies: tuple[str, ...]) -> None:
        self.cash -= fill.quantity * fill.price + fill.commission
        pos = self.positions.get(fill.symbol)
        if pos is None:
            self.positions[fill.symbol] = Position(
                symbol=fill.symbol,
                quantity=fill.quantity,
                avg_price=fill.price,
                opened_at=fill.ts,
                entry_decision_id=decision_id,
                entry_commission=fill.commission,
                strategies=strategies,
                last_price=fill.price,
                bought_quantity=fill.quantity,
                bought_notional=fill.quantity * fill.price,
            )
            return
        pos.quantity += fill.quantity
        pos.bought_quantity += fill.quantity
        pos.bought_notional += fill.quantity * fill.price
        pos.avg_price = _price(pos.bought_notional / pos.bought_quantity)
        pos.entry_commission += fill.commission

    def _sell(self, fill: Fill, decision_id: str) -> ClosedTrade | None:
        pos = self.positions.get(fill.symbol)
        if pos is None or fill.quantity > pos.quantity:
            held = _ZERO if pos is None else pos.quantity
            raise ValueError(
                f"sell of {fill.quantity} {fill.symbol} exceeds holding {held} "
                "(short selling is not enabled)"
            )
        self.cash += fill.quantity * fill.price - fill.commission
        pos.quantity -= fill.quantity
        pos.sold_quantity += fill.quantity
        pos.sold_notional += fill.quantity * fill.price
        pos.exit_commission += fill.commission
        if pos.quantity > _ZERO:
            return None
        del self.positions[fill.symbol]
        trade = _round_trip(pos, fill.ts, decision_id)
        self.realised_pnl += trade.pnl
        return trade

    # --- views ------------------------------------------------------------------------
    def mark(self, symbol: str) -> float | None:
        return self._marks.get(symbol)

    def float_holdings(self) -> FloatHoldings:
        """Cash and ``(symbol, quantity, average price)`` of each position as floats, by
        symbol name — what :meth:`equity_float` marks, in that order (a fixed order, so the
        batch path can sum the same way); refreshed on fills only."""
        if self._float_view is None:
            held = self.positions.items()
            self._float_view = (
                float(self.cash),
                [
                    (s, float(p.quantity), float(p.avg_price))
                    for s, p in (sorted(held) if len(held) > 1 else held)
                ],
            )
        return self._float_view

    def equity_float(self) -> float:
        """Fast float equity for the per-bar equity curve (reports use the Decimal one).

        Float views of cash and quantities are refreshed on fills only, so a bar with no
        open position costs one attribute read."""
        cash, held = self.float_holdings()
        if not held:
            return cash
        marks = self._marks
        return cash + sum(q * marks.get(s, cost) for s, q, cost in held)

    def snapshot(self, ts: datetime) -> PortfolioSnapshot:
        value = _ZERO
        for symbol, pos in self.positions.items():
            mark = self._marks.get(symbol)
            pos.last_price = pos.avg_price if mark is None else Decimal(repr(mark))
            value += pos.market_value
        return PortfolioSnapshot(
            ts=ts,
            cash=self.cash,
            positions_value=value,
            equity=self.cash + value,
            open_positions=len(self.positions),
            realised_pnl=self.realised_pnl,
        )

    def equity(self) -> Decimal:
        """Cash plus positions at their last close (average cost before the first mark)."""
        value = sum(
            (
                p.quantity
                * (p.avg_price if (m := self._marks.get(s)) is None else Decimal(repr(m)))
                for s, p in self.positions.items()
            ),
            _ZERO,
        )
        return self.cash + value


def _round_trip(pos: Position, exit_ts: datetime, exit_decision_id: str) -> ClosedTrade:
    qty = pos.bought_quantity
    commission = pos.entry_commission + pos.exit_commission
    pnl = pos.sold_notional - pos.bought_notional - commission
    cost = pos.bought_notional
    return ClosedTrade(
        id=trade_id(exit_decision_id),
        symbol=pos.symbol,
        quantity=qty,
        entry_ts=pos.opened_at,
        exit_ts=exit_ts,
        entry_price=pos.avg_price,
        exit_price=_price(pos.sold_notional / pos.sold_quantity),
        pnl=pnl,
        commission=commission,
        return_pct=float(pnl / cost) if cost else 0.0,
        hold_seconds=(exit_ts - pos.opened_at).total_seconds(),
        strategies=pos.strategies,
        entry_decision_id=pos.entry_decision_id,
        exit_decision_id=exit_decision_id,
    )
