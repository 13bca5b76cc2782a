"""Ledger properties: money is conserved and round trips pair by quantity."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import START
from tradebot.domain import Bar, Fill, OrderSide, Timeframe
from tradebot.engine.portfolio import Portfolio

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2)
units = st.integers(min_value=1, max_value=50).map(Decimal)
fees = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=4)


def _context(_: str) -> tuple[str, tuple[str, ...]]:
    return "dec-x", ("momentum",)


@st.composite
def round_trips(draw: st.DrawFn) -> list[tuple[OrderSide, Decimal, Decimal, Decimal]]:
    """Buys then sells of one symbol that end flat, in several pieces each."""
    buys = draw(st.lists(st.tuples(units, money, fees), min_size=1, max_size=4))
    total = sum(q for q, _, _ in buys)
    sells: list[tuple[Decimal, Decimal, Decimal]] = []
    left = total
    while left > 0:
        q = min(left, draw(units))
        sells.append((q, draw(money), draw(fees)))
        left -= q
    return [(OrderSide.BUY, *b) for b in buys] + [(OrderSide.SELL, *s) for s in sells]


@settings(max_examples=200, deadline=None)
@given(steps=round_trips())
def test_cash_is_conserved_and_one_closed_trade_carries_the_whole_profit(
    steps: list[tuple[OrderSide, Decimal, Decimal, Decimal]],
) -> None:
    ledger = Portfolio(Decimal(1_000_000), _context)
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
    assert ledger.cash == Decimal(1_000_000) + flow
    assert not ledger.positions
    assert len(trades) == 1
    (trade,) = trades
    assert trade.pnl == flow
    assert ledger.realised_pnl == flow
    bought = sum(q for s, q, _, _ in steps if s is OrderSide.BUY)
    assert trade.quantity == bought
    assert trade.commission == sum(f for _, _, _, f in steps)


@settings(max_examples=100, deadline=None)
@given(
    qty=units,
    cost=money,
    mark=st.floats(min_value=0.01, max_value=1e5, allow_nan=False, allow_infinity=False),
)
def test_equity_is_cash_plus_positions_at_the_last_close(
    qty: Decimal, cost: Decimal, mark: float
) -> None:
    ledger = Portfolio(Decimal(100_000), _context)
    ledger.apply_fill(
        Fill(
            fill_id="f",
            client_order_id="o",
            symbol="AAA",
            side=OrderSide.BUY,
            quantity=qty,
            price=cost,
            commission=Decimal(1),
            ts=START,
        )
    )
    ledger.on_bar(Bar("AAA", Timeframe.D1, START, mark, mark, mark, mark, 1.0))
    snap = ledger.snapshot(START)
    assert snap.positions_value == qty * Decimal(repr(mark))
    assert snap.equity == snap.cash + snap.positions_value == ledger.equity()
    assert abs(ledger.equity_float() - float(snap.equity)) <= 1e-6 * max(1.0, float(snap.equity))
