"""The ledger: cash, positions and realised P&L, all in ``Decimal``.

Fills are the only thing that move money. Bars only move the marks. A buy adds to a long or
covers a short; a sell reduces a long or adds to a short (a flat book opens whichever side
the fill is on; a fill never flips a position through zero). When a position goes back to
zero the round trip becomes one :class:`ClosedTrade` (quantity-weighted entry and exit
prices, both commissions), so partial exits are paired by quantity, never by count. P&L is
realised when a round trip closes and is computed from exact notionals
(sold − bought − commissions − borrow), never from a divided average, so it is exact to the
cent. A short pays a stock-borrow fee of ``borrow_rate`` a year on its entry value, charged
whenever its size changes (and at the close) for the time since the last charge.
Invariant, held at every snapshot: ``equity == cash + Σ signed quantity × last close``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction, OrderSide
from tradebot.domain.messages import ClosedTrade, Fill, PortfolioSnapshot
from tradebot.domain.position import Position
from tradebot.engine.ids import trade_id

__all__ = ["FillContext", "FloatHoldings", "Portfolio"]

_ZERO = Decimal(0)
_PRICE_PLACES = Decimal("1e-8")
_FEE_PLACES = Decimal("1e-10")
_SECONDS_PER_YEAR = Decimal(365 * 86_400)


def _price(value: Decimal) -> Decimal:
    """Average prices are reported to 8 places; P&L never goes through them."""
    return value.quantize(_PRICE_PLACES)


FillContext = Callable[[str], tuple[str, tuple[str, ...]]]
"""client order id -> (decision id, contributing strategies)."""

FloatHoldings = tuple[float, list[tuple[str, float, float]]]
"""(cash, [(symbol, quantity, average price), ...]) as floats."""


class Portfolio:
    """The ledger of one cash account, long and short."""

    def __init__(
        self, initial_cash: Decimal, fill_context: FillContext, *, borrow_rate: Decimal = _ZERO
    ) -> None:
        self.borrow_rate = borrow_rate
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
        buy = fill.side is OrderSide.BUY
        notional = fill.quantity * fill.price
        self.cash += -notional - fill.commission if buy else notional - fill.commission
        pos = self.positions.get(fill.symbol)
        if pos is None:
            self.positions[fill.symbol] = _opened(fill, notional, decision_id, strategies)
            return None
        if pos.side is Direction.SHORT:
            self._charge_borrow(pos, fill.ts)
        if buy:
            pos.bought_quantity += fill.quantity
            pos.bought_notional += notional
        else:
            pos.sold_quantity += fill.quantity
            pos.sold_notional += notional
        if buy is (pos.side is Direction.LONG):  # adds to the position
            pos.quantity += fill.quantity
            entered = (
                (pos.bought_notional, pos.bought_quantity)
                if buy
                else (
                    pos.sold_notional,
                    pos.sold_quantity,
                )
            )
            pos.avg_price = _price(entered[0] / entered[1])
            pos.entry_commission += fill.commission
            return None
        if fill.quantity > pos.quantity:
            raise ValueError(
                f"{fill.side} of {fill.quantity} {fill.symbol} exceeds the {pos.side} position "
                f"of {pos.quantity} (a fill does not flip a position through zero)"
            )
        pos.quantity -= fill.quantity
        pos.exit_commission += fill.commission
        if pos.quantity > _ZERO:
            return None
        del self.positions[fill.symbol]
        trade = _round_trip(pos, fill, decision_id)
        self.realised_pnl += trade.pnl
        return trade

    def _charge_borrow(self, pos: Position, now: datetime) -> None:
        """Charge a short's borrow fee for the time since the last charge."""
        since = pos.borrow_since or pos.opened_at
        if not self.borrow_rate or now <= since:
            return
        years = Decimal((now - since).total_seconds()) / _SECONDS_PER_YEAR
        fee = (pos.quantity * pos.avg_price * self.borrow_rate * years).quantize(_FEE_PLACES)
        pos.borrow_cost += fee
        pos.borrow_since = now
        self.cash -= fee

    # --- views ------------------------------------------------------------------------
    def changed(self) -> None:
        """A position was written from outside a fill (an adoption at reconciliation): the
        float view is made again and readers see a new version."""
        self._float_view = None
        self.version += 1

    def held_quantity(self, symbol: str) -> Decimal:
        """Signed quantity held of ``symbol`` (negative: short; zero: flat)."""
        pos = self.positions.get(symbol)
        return _ZERO if pos is None else pos.signed_quantity

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
                    (s, float(p.signed_quantity), float(p.avg_price))
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

    def snapshots(
        self, times: Sequence[datetime], marks: Mapping[str, Sequence[float]]
    ) -> list[PortfolioSnapshot]:
        """:meth:`snapshot` at each of ``times`` while no fill moves the ledger, with each
        held position marked at ``marks[symbol][k]`` at ``times[k]`` (every held symbol
        needs its column: there is no falling back to average cost here): the batch path's
        quiet stretch of snapshot buckets in one call, the same Decimal operations in the
        same order (so the same values, digit for digit). Afterwards each held symbol is
        marked at its last column value and its ``last_price`` is that mark — as setting
        the marks and calling :meth:`snapshot` one time after the other leaves them."""
        held = list(self.positions.values())
        cash, realised, count = self.cash, self.realised_pnl, len(held)
        columns = [(pos.signed_quantity, marks[pos.symbol]) for pos in held]
        out: list[PortfolioSnapshot] = []
        for k, ts in enumerate(times):
            value = _ZERO
            for quantity, column in columns:
                value += quantity * Decimal(repr(column[k]))
            out.append(
                PortfolioSnapshot(
                    ts=ts,
                    cash=cash,
                    positions_value=value,
                    equity=cash + value,
                    open_positions=count,
                    realised_pnl=realised,
                )
            )
        if times:
            for pos in held:
                last = marks[pos.symbol][-1]
                self._marks[pos.symbol] = last
                pos.last_price = Decimal(repr(last))
        return out

    def equity(self) -> Decimal:
        """Cash plus positions at their last close (average cost before the first mark)."""
        value = sum(
            (
                p.signed_quantity
                * (p.avg_price if (m := self._marks.get(s)) is None else Decimal(repr(m)))
                for s, p in self.positions.items()
            ),
            _ZERO,
        )
        return self.cash + value


def _opened(
    fill: Fill, notional: Decimal, decision_id: str, strategies: tuple[str, ...]
) -> Position:
    """A new position on the fill's side: a buy opens a long, a sell a short."""
    buy = fill.side is OrderSide.BUY
    return Position(
        symbol=fill.symbol,
        quantity=fill.quantity,
        avg_price=fill.price,
        opened_at=fill.ts,
        entry_decision_id=decision_id,
        entry_commission=fill.commission,
        strategies=strategies,
        last_price=fill.price,
        bought_quantity=fill.quantity if buy else _ZERO,
        bought_notional=notional if buy else _ZERO,
        sold_quantity=_ZERO if buy else fill.quantity,
        sold_notional=_ZERO if buy else notional,
        side=Direction.LONG if buy else Direction.SHORT,
        borrow_since=None if buy else fill.ts,
    )


def _round_trip(pos: Position, fill: Fill, exit_decision_id: str) -> ClosedTrade:
    exit_ts = fill.ts
    long = pos.side is Direction.LONG
    qty = pos.bought_quantity if long else pos.sold_quantity
    cost = pos.bought_notional if long else pos.sold_notional
    exit_notional, exit_qty = (
        (pos.sold_notional, pos.sold_quantity)
        if long
        else (pos.bought_notional, pos.bought_quantity)
    )
    commission = pos.entry_commission + pos.exit_commission
    pnl = pos.sold_notional - pos.bought_notional - commission - pos.borrow_cost
    return ClosedTrade(
        id=trade_id(fill.fill_id),
        symbol=pos.symbol,
        quantity=qty,
        entry_ts=pos.opened_at,
        exit_ts=exit_ts,
        entry_price=pos.avg_price,
        exit_price=(exit_notional / exit_qty).quantize(_PRICE_PLACES),  # _price, written out
        pnl=pnl,
        commission=commission,
        return_pct=float(pnl / cost) if cost else 0.0,
        hold_seconds=(exit_ts - pos.opened_at).total_seconds(),
        strategies=pos.strategies,
        entry_decision_id=pos.entry_decision_id,
        exit_decision_id=exit_decision_id,
        direction=pos.side,
        borrow_cost=pos.borrow_cost,
    )
