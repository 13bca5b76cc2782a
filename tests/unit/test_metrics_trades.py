"""Trade statistics and per-strategy attribution on a hand-computed trade list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.backtest.metrics import UNATTRIBUTED, strategy_attribution, trade_stats
from tradebot.domain.messages import ClosedTrade

T0 = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)


def trade(i: int, pnl: str, strategies: tuple[str, ...], hold_s: float) -> ClosedTrade:
    entry = T0 + timedelta(hours=i)
    return ClosedTrade(
        id=f"t{i}",
        symbol="AAPL",
        quantity=Decimal(1),
        entry_ts=entry,
        exit_ts=entry + timedelta(seconds=hold_s),
        entry_price=Decimal(100),
        exit_price=Decimal(100) + Decimal(pnl),
        pnl=Decimal(pnl),
        commission=Decimal(0),
        return_pct=float(pnl) / 100,
        hold_seconds=hold_s,
        strategies=strategies,
        entry_decision_id=f"in{i}",
        exit_decision_id=f"out{i}",
    )


TRADES = [
    trade(0, "30", ("a",), 60),
    trade(1, "-10", ("a", "b"), 120),
    trade(2, "20", ("b",), 180),
    trade(3, "0", (), 240),
    trade(4, "-40", ("a", "b", "a"), 300),
]


def test_trade_stats_by_hand() -> None:
    s = trade_stats(TRADES)
    assert (s.trades, s.wins, s.losses) == (5, 2, 2)  # the zero trade is neither
    assert s.win_rate == 0.4
    assert (s.gross_profit, s.gross_loss, s.net_pnl) == (Decimal(50), Decimal(50), Decimal(0))
    assert s.profit_factor == 1.0
    assert s.expectancy == Decimal(0)
    assert (s.avg_win, s.avg_loss) == (Decimal(25), Decimal(-25))
    assert (s.largest_win, s.largest_loss) == (Decimal(30), Decimal(-40))
    assert s.avg_hold == timedelta(seconds=180)


def test_profit_factor_without_losses_or_without_trades() -> None:
    assert trade_stats(TRADES[:1]).profit_factor == float("inf")
    assert trade_stats([TRADES[3]]).profit_factor is None  # only a break-even trade
    empty = trade_stats([])
    assert (empty.trades, empty.win_rate, empty.profit_factor, empty.expectancy) == (
        0,
        None,
        None,
        None,
    )
    assert (empty.avg_win, empty.largest_loss, empty.avg_hold) == (None, None, None)


def test_attribution_splits_pnl_equally_and_counts_each_trade_once_per_strategy() -> None:
    shares = strategy_attribution(TRADES)
    assert list(shares) == [UNATTRIBUTED, "a", "b"]
    a, b, none = shares["a"], shares["b"], shares[UNATTRIBUTED]
    # a: +30, half of -10, half of -40 (named twice on that trade, still one share)
    assert (a.pnl, a.trades, a.wins, a.losses) == (Decimal(5), 3, 1, 2)
    assert (b.pnl, b.trades, b.wins, b.losses) == (Decimal(-5), 3, 1, 2)
    assert (none.pnl, none.trades, none.wins, none.losses) == (Decimal(0), 1, 0, 0)
    assert sum(s.pnl for s in shares.values()) == trade_stats(TRADES).net_pnl


def test_a_three_way_split_adds_up_to_the_trade() -> None:
    shares = strategy_attribution([trade(0, "10", ("x", "y", "z"), 60)])
    assert {s.trades for s in shares.values()} == {1}
    assert sum(s.pnl for s in shares.values()) == pytest.approx(Decimal(10), abs=Decimal("1e-20"))
