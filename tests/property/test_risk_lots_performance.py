"""Seed properties of tax lots and performance: 22, 23, 26, 33 and 36."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.backtest.metrics import ratios
from tradebot.backtest.metrics import trades as backtest_trades
from tradebot.domain.messages import ClosedTrade
from tradebot.risk.performance import (
    TradeResult,
    compute_metrics,
    daily_returns,
    max_drawdown,
    sharpe_ratio,
    trade_stats,
)
from tradebot.risk.tax_lots import TaxLot, TaxLotBook, buy_lot, sell_fifo

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

START = datetime(2021, 1, 4, 15, tzinfo=UTC)
qtys = st.integers(1, 50).map(Decimal)
prices = st.decimals(Decimal(1), Decimal(500), places=2)


@st.composite
def trading(draw: st.DrawFn) -> list[tuple[str, Decimal, Decimal, int]]:
    """Buys and sells of one symbol that never sell more than is held; (side, qty, price, day)."""
    steps: list[tuple[str, Decimal, Decimal, int]] = []
    held = Decimal(0)
    day = 0
    for _ in range(draw(st.integers(1, 12))):
        day += draw(st.integers(0, 20))
        if held > 0 and draw(st.booleans()):
            qty = min(held, draw(qtys))
            held -= qty
            steps.append(("sell", qty, draw(prices), day))
        else:
            qty = draw(qtys)
            held += qty
            steps.append(("buy", qty, draw(prices), day))
    return steps


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(steps=trading())
def test_property_22_lots_close_fifo_by_quantity(
    steps: list[tuple[str, Decimal, Decimal, int]],
) -> None:
    book = TaxLotBook()
    queue: list[list[Decimal]] = []  # independent FIFO model: [qty, cost]
    for i, (side, qty, price, day) in enumerate(steps):
        ts = START + timedelta(days=day, minutes=i)
        if side == "buy":
            book, _ = buy_lot(book, TaxLot(f"L{i}", "AAA", qty, price, ts), 30)
            queue.append([qty, price])
            continue
        book, closed = sell_fifo(book, "AAA", qty, price, ts, 30)
        assert sum(c.quantity for c in closed) == qty
        expected_pnl = Decimal(0)
        left = qty
        while left > 0:
            take = min(left, queue[0][0])
            expected_pnl += (price - queue[0][1]) * take
            queue[0][0] -= take
            left -= take
            if queue[0][0] == 0:
                queue.pop(0)
        assert sum(c.realized_pnl for c in closed) == expected_pnl
        for c in closed:
            assert c.realized_pnl == (price - c.cost_basis) * c.quantity
        acquired = [c.acquired_at for c in closed]
        assert acquired == sorted(acquired)  # earliest first
    assert [lot.quantity for lot in book.open_lots] == [q for q, _ in queue]
    assert book.held("AAA") == sum((q for q, _ in queue), Decimal(0))


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(
    buy_gap=st.integers(-60, 60),
    loss=st.booleans(),
)
def test_property_23_wash_sale_within_30_days_either_side(buy_gap: int, loss: bool) -> None:
    """A loss sale is washed by a purchase of the same symbol within 30 days before or after."""
    sale_day = START + timedelta(days=100)
    book, _ = buy_lot(TaxLotBook(), TaxLot("old", "AAA", Decimal(10), Decimal(100), START), 30)
    other, _ = buy_lot(book, TaxLot("x", "BBB", Decimal(5), Decimal(10), sale_day), 30)
    exit_price = Decimal(90) if loss else Decimal(110)
    replacement = TaxLot("new", "AAA", Decimal(3), Decimal(95), sale_day + timedelta(days=buy_gap))
    if buy_gap < 0:  # bought before the sale and still held after it
        other, _ = buy_lot(other, replacement, 30)
        other, closed = sell_fifo(other, "AAA", Decimal(10), exit_price, sale_day, 30)
        flagged = [c for c in closed if c.wash_sale]
    else:
        other, closed = sell_fifo(other, "AAA", Decimal(10), exit_price, sale_day, 30)
        other, washed = buy_lot(other, replacement, 30)
        flagged = [c for c in closed if c.wash_sale] + washed
    expected = loss and abs(buy_gap) <= 30
    assert bool(flagged) is expected
    assert all(c.symbol == "AAA" and c.realized_pnl < 0 for c in flagged)


pnls = st.decimals(Decimal(-1000), Decimal(1000), places=2)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(values=st.lists(pnls, max_size=40))
def test_property_26_win_rate_and_profit_factor(values: list[Decimal]) -> None:
    stats = trade_stats(TradeResult("AAA", p, START) for p in values)
    wins = [p for p in values if p > 0]
    losses = [p for p in values if p < 0]
    assert stats.count == len(values)
    assert stats.win_rate == (len(wins) / len(values) if values else None)
    gross_profit, gross_loss = sum(wins, Decimal(0)), -sum(losses, Decimal(0))
    if gross_loss > 0:
        assert stats.profit_factor == float(gross_profit / gross_loss)
    elif gross_profit > 0:
        assert stats.profit_factor == math.inf
    else:
        assert stats.profit_factor is None


returns = st.floats(-0.2, 0.2, allow_nan=False, allow_subnormal=False)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(series=st.lists(returns, max_size=60))
def test_property_26_sharpe_uses_trailing_30_daily_returns(series: list[float]) -> None:
    tail = series[-30:]
    value = sharpe_ratio(series, 30)
    if len(tail) < 2 or max(tail) == min(tail):
        assert value is None
        return
    mean = sum(tail) / len(tail)
    std = math.sqrt(sum((r - mean) ** 2 for r in tail) / (len(tail) - 1))
    if std == 0:
        return
    assert value is not None
    assert math.isclose(value, mean / std * math.sqrt(252), rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    trades=st.lists(st.tuples(pnls, st.booleans()), max_size=30),
)
def test_property_33_micro_metrics_are_tracked_apart(trades: list[tuple[Decimal, bool]]) -> None:
    results = [TradeResult("AAA", p, START, micro) for p, micro in trades]
    metrics = compute_metrics(
        results, [Decimal(1000)], total_value=Decimal(1000), reserve=Decimal(0), heat=Decimal(0)
    )
    assert metrics.standard == trade_stats(r for r in results if not r.is_micro)
    assert metrics.micro == trade_stats(r for r in results if r.is_micro)
    assert metrics.standard.count + metrics.micro.count == len(results)


def _closed(i: int, pnl: Decimal) -> ClosedTrade:
    entry = START + timedelta(days=i)
    return ClosedTrade(
        id=f"t{i}",
        symbol="AAA",
        quantity=Decimal(1),
        entry_ts=entry,
        exit_ts=entry + timedelta(hours=3),
        entry_price=Decimal(100),
        exit_price=Decimal(100) + pnl,
        pnl=pnl,
        commission=Decimal(0),
        return_pct=float(pnl / 100),
        hold_seconds=3 * 3600.0,
        entry_decision_id=f"d{i}",
        exit_decision_id=f"e{i}",
    )


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(
    values=st.lists(st.decimals(Decimal(-99), Decimal(1000), places=2), max_size=30),
    equity=st.lists(st.decimals(Decimal(100), Decimal(10_000), places=2), min_size=2, max_size=40),
)
def test_property_36_same_metrics_as_the_backtester(
    values: list[Decimal], equity: list[Decimal]
) -> None:
    ours = trade_stats(TradeResult("AAA", p, START) for p in values)
    theirs = backtest_trades.trade_stats([_closed(i, p) for i, p in enumerate(values)])
    assert (ours.count, ours.wins, ours.losses) == (theirs.trades, theirs.wins, theirs.losses)
    assert ours.win_rate == theirs.win_rate
    assert (ours.gross_profit, ours.gross_loss) == (theirs.gross_profit, theirs.gross_loss)
    assert ours.profit_factor == theirs.profit_factor
    daily = daily_returns(equity)
    expected = ratios.sharpe(daily[-30:], 252)
    got = sharpe_ratio(daily, 30)
    if got is None:
        assert not math.isfinite(expected)
    else:
        assert math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)
    assert math.isclose(
        float(max_drawdown(equity)), -ratios.max_drawdown([float(e) for e in equity]), abs_tol=1e-12
    )
