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


closes = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(
    opened=st.lists(
        st.tuples(st.sampled_from(["AAA", "BBB", "CCC"]), units, money, st.booleans()),
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    marks=st.lists(st.tuples(closes, closes, closes), min_size=1, max_size=20),
)
def test_snapshots_of_a_quiet_stretch_are_the_one_by_one_snapshots(
    opened: list[tuple[str, Decimal, Decimal, bool]], marks: list[tuple[float, float, float]]
) -> None:
    """The batch path's bulk ``snapshots`` gives, digit for digit, what ``snapshot`` gives
    at each time with the positions marked one time after the other (longs and shorts, the
    same Decimal objects for cash and realised P&L), and leaves the marks and last prices
    as the last of those would."""
    symbols = ["AAA", "BBB", "CCC"]

    def ledger() -> Portfolio:
        book = Portfolio(Decimal(1_000_000), _context)
        for i, (symbol, qty, price, long) in enumerate(opened):
            side = OrderSide.BUY if long else OrderSide.SELL
            book.apply_fill(
                Fill(
                    fill_id=f"f{i}",
                    client_order_id=f"o{i}",
                    symbol=symbol,
                    side=side,
                    quantity=qty,
                    price=price,
                    commission=Decimal(0),
                    ts=START,
                )
            )
        return book

    times = [START + timedelta(days=k + 1) for k in range(len(marks))]
    one_by_one, bulk = ledger(), ledger()
    expected = []
    for ts, row in zip(times, marks, strict=True):
        for symbol, close in zip(symbols, row, strict=True):
            one_by_one.set_mark(symbol, close)
        expected.append(one_by_one.snapshot(ts))
    columns = {s: [row[k] for row in marks] for k, s in enumerate(symbols) if s in bulk.positions}
    got = bulk.snapshots(times, columns)
    assert [
        (str(s.cash), str(s.positions_value), str(s.equity), s.open_positions, s.realised_pnl)
        for s in got
    ] == [
        (str(s.cash), str(s.positions_value), str(s.equity), s.open_positions, s.realised_pnl)
        for s in expected
    ]
    assert [s.ts for s in got] == times
    for symbol, pos in bulk.positions.items():
        assert pos.last_price == one_by_one.positions[symbol].last_price
        assert bulk.mark(symbol) == one_by_one.mark(symbol)
