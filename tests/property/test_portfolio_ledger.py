"""Ledger properties: money is conserved and round trips pair by quantity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import START
from tradebot.domain import Bar, Direction, Fill, OrderSide, Timeframe
from tradebot.engine.portfolio import Portfolio

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2)
units = st.integers(min_value=1, max_value=50).map(Decimal)
fees = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=4)


def _context(_: str) -> tuple[str, tuple[str, ...]]:
    return "dec-x", ("momentum",)


@st.composite
def round_trips(draw: st.DrawFn) -> list[tuple[OrderSide, Decimal, Decimal, Decimal]]:
    """Entries then exits of one symbol that end flat, in several pieces each: buys then
    sells (a long), or sells then buys (a short)."""
    entries = draw(st.lists(st.tuples(units, money, fees), min_size=1, max_size=4))
    total = sum(q for q, _, _ in entries)
    exits: list[tuple[Decimal, Decimal, Decimal]] = []
    left = total
    while left > 0:
        q = min(left, draw(units))
        exits.append((q, draw(money), draw(fees)))
        left -= q
    opening, closing = (
        (OrderSide.BUY, OrderSide.SELL) if draw(st.booleans()) else (OrderSide.SELL, OrderSide.BUY)
    )
    return [(opening, *e) for e in entries] + [(closing, *x) for x in exits]


@settings(max_examples=300, deadline=None)
@given(steps=round_trips(), borrow=st.sampled_from([Decimal(0), Decimal("0.05")]))
def test_cash_is_conserved_and_one_closed_trade_carries_the_whole_profit(
    steps: list[tuple[OrderSide, Decimal, Decimal, Decimal]], borrow: Decimal
) -> None:
    """Long or short: the closed trade's P&L is exactly the cash the round trip moved
    (borrow fees of a short included), and the entry side's quantity is the trade's."""
    ledger = Portfolio(Decimal(1_000_000), _context, borrow_rate=borrow)
    trades = []
    flow = Decimal(0)
    for i, (side, qty, price, fee) in enumerate(steps):
        fill = Fill(
            fill_id=f"f{i}",
            client_order_id=f"o{i}",
            symbol="AAA",
            side=side,
            quantity=qty,
            price=price,
            commission=fee,
            ts=START + timedelta(days=i),
        )
        sign = -1 if side is OrderSide.BUY else 1
        flow += sign * qty * price - fee
        trade = ledger.apply_fill(fill)
        if trade is not None:
            trades.append(trade)
    assert not ledger.positions
    assert len(trades) == 1
    (trade,) = trades
    short = steps[0][0] is OrderSide.SELL
    assert trade.direction is (Direction.SHORT if short else Direction.LONG)
    assert ledger.cash == Decimal(1_000_000) + flow - trade.borrow_cost
    assert trade.pnl == flow - trade.borrow_cost == ledger.realised_pnl
    assert (trade.borrow_cost > 0) is (short and borrow > 0)
    assert trade.quantity == sum(q for s, q, _, _ in steps if s is steps[0][0])
    assert trade.commission == sum(f for _, _, _, f in steps)


def test_a_short_pays_borrow_for_the_time_it_is_open() -> None:
    """Sold short 10 at 100 for a year at 5 %: 50 of borrow, charged at the cover."""
    ledger = Portfolio(Decimal(10_000), _context, borrow_rate=Decimal("0.05"))
    fills = [
        (OrderSide.SELL, START),
        (OrderSide.BUY, START + timedelta(days=365)),
    ]
    trade = None
    for i, (side, ts) in enumerate(fills):
        trade = ledger.apply_fill(
            Fill(
                fill_id=f"f{i}",
                client_order_id=f"o{i}",
                symbol="AAA",
                side=side,
                quantity=Decimal(10),
                price=Decimal(100),
                commission=Decimal(0),
                ts=ts,
            )
        )
    assert trade is not None and trade.direction is Direction.SHORT
    assert trade.borrow_cost == Decimal(50) and trade.pnl == Decimal(-50)
    assert ledger.cash == Decimal(10_000) - Decimal(50)


@settings(max_examples=100, deadline=None)
@given(
    qty=units,
    cost=money,
    mark=st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False),
    side=st.sampled_from([OrderSide.BUY, OrderSide.SELL]),
)
def test_equity_is_cash_plus_positions_at_the_last_close(
    qty: Decimal, cost: Decimal, mark: float, side: OrderSide
) -> None:
    """A long adds its shares at the mark; a short owes them (it holds the proceeds)."""
    ledger = Portfolio(Decimal(100_000), _context)
    ledger.apply_fill(
        Fill(
            fill_id="f",
            client_order_id="o",
            symbol="AAA",
            side=side,
            quantity=qty,
            price=cost,
            commission=Decimal(1),
            ts=START,
        )
    )
    ledger.on_bar(Bar("AAA", Timeframe.D1, START, mark, mark, mark, mark, 1.0))
    snap = ledger.snapshot(START)
    sign = 1 if side is OrderSide.BUY else -1
    assert snap.positions_value == sign * qty * Decimal(repr(mark))
    assert snap.equity == snap.cash + snap.positions_value == ledger.equity()
    assert abs(ledger.equity_float() - float(snap.equity)) <= 1e-6 * max(1.0, float(snap.equity))
