"""``summarise``: the old keys keep their meaning, every value is JSON-ready, it stays fast."""

from __future__ import annotations

import inspect
import json
import math
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import empyrical as ep
import numpy as np
import pytest

import tradebot.backtest.metrics as metrics
from tradebot.backtest.metrics import daily_returns, sharpe, summarise
from tradebot.domain.messages import ClosedTrade

T0 = datetime(2024, 1, 2, tzinfo=UTC)


def days(n: int) -> list[datetime]:
    return [T0 + timedelta(days=i) for i in range(n)]


def closed(entry: datetime, exit_: datetime, pnl: str, *strategies: str) -> ClosedTrade:
    return ClosedTrade(
        id=f"t{entry.isoformat()}",
        symbol="AAPL",
        quantity=Decimal(1),
        entry_ts=entry,
        exit_ts=exit_,
        entry_price=Decimal(100),
        exit_price=Decimal(100) + Decimal(pnl),
        pnl=Decimal(pnl),
        commission=Decimal(0),
        return_pct=float(pnl) / 100,
        hold_seconds=(exit_ - entry).total_seconds(),
        strategies=strategies,
        entry_decision_id="in",
        exit_decision_id="out",
    )


def json_ready(summary: dict[str, object]) -> bool:
    return json.loads(json.dumps(summary, allow_nan=False)) == summary


EQUITY = [1000.0, 1010.0, 1005.0, 1030.0, 990.0, 1040.0, 1050.0, 1020.0]


def test_the_public_signatures() -> None:
    def params(f: object) -> list[tuple[str, object]]:
        assert callable(f)
        return [(p.name, p.default) for p in inspect.signature(f).parameters.values()]

    empty = inspect.Parameter.empty
    assert params(metrics.sharpe) == [("returns", empty), ("periods_per_year", empty), ("rf", 0.0)]
    assert params(metrics.sortino) == [
        ("returns", empty),
        ("periods_per_year", empty),
        ("required_return", 0.0),
    ]
    assert params(metrics.annual_return) == [("returns", empty), ("periods_per_year", empty)]
    assert params(metrics.calmar) == [("returns", empty), ("periods_per_year", empty)]
    assert params(metrics.max_drawdown) == [("equity", empty)]
    assert all(hasattr(metrics, name) for name in metrics.__all__)


def test_the_old_keys_keep_their_meaning() -> None:
    trades = [
        closed(days(8)[1], days(8)[3], "20", "a"),
        closed(days(8)[4], days(8)[6], "-5", "a", "b"),
    ]
    s = summarise(days(8), EQUITY, trades, 1000.0, 252)
    assert s["initial_equity"] == 1000.0
    assert s["final_equity"] == 1020.0
    assert s["total_return"] == pytest.approx(0.02)
    assert (s["trades"], s["win_rate"]) == (2, 0.5)
    assert s["max_drawdown"] == pytest.approx(990.0 / 1030.0 - 1.0)
    assert s["sharpe"] == pytest.approx(sharpe(daily_returns(days(8), EQUITY), 252))
    assert (s["start"], s["end"]) == (T0.isoformat(), days(8)[-1].isoformat())
    assert json_ready(s)


def test_the_new_figures_by_hand() -> None:
    trades = [
        closed(days(8)[1], days(8)[3], "20", "a"),
        closed(days(8)[4], days(8)[6], "-5", "a", "b"),
    ]
    s = summarise(days(8), EQUITY, trades, 1000.0, 252)
    returns = np.array(EQUITY[1:]) / np.array(EQUITY[:-1]) - 1.0
    assert s["daily_returns"] == 7
    assert s["annual_return"] == pytest.approx((1020.0 / 1000.0) ** (252 / 7) - 1.0)
    assert s["annual_volatility"] == pytest.approx(ep.annual_volatility(returns))
    assert s["sortino"] == pytest.approx(ep.sortino_ratio(returns))
    assert s["calmar"] == pytest.approx(ep.calmar_ratio(returns))
    # Two spells of two days (1010 on day 1 regained on day 3, 1030 on day 3 regained on
    # day 5; the deepest fall is in the second): the first of equals is reported.
    assert (s["max_drawdown_duration_s"], s["max_drawdown_duration_bars"]) == (2 * 86_400.0, 2)
    assert (s["max_drawdown_start"], s["max_drawdown_recovered"]) == (days(8)[1].isoformat(), True)
    assert s["exposure"] == pytest.approx(4 / 8)  # points 1-2 and 4-5
    assert (s["wins"], s["losses"], s["gross_profit"], s["gross_loss"]) == (1, 1, 20.0, 5.0)
    assert (s["profit_factor"], s["expectancy"], s["avg_hold_s"]) == (4.0, 7.5, 2 * 86_400.0)
    assert (s["avg_win"], s["avg_loss"], s["largest_win"], s["largest_loss"]) == (
        20.0,
        -5.0,
        20.0,
        -5.0,
    )
    assert s["strategies"] == {
        "a": {"pnl": 17.5, "trades": 2, "wins": 1, "losses": 1},
        "b": {"pnl": -2.5, "trades": 1, "wins": 0, "losses": 1},
    }
    (row,) = s["monthly_returns"]
    assert row["year"] == 2024
    assert row["months"][0] == pytest.approx(0.02)
    assert row["months"][1:] == [None] * 11
    assert (s["alpha"], s["beta"], s["benchmark_return"]) == (None, None, None)


def test_periods_per_year_and_the_risk_free_rate_reach_the_ratios() -> None:
    crypto = summarise(days(8), EQUITY, [], 1000.0, 365)
    equities = summarise(days(8), EQUITY, [], 1000.0, 252)
    assert crypto["sharpe"] == pytest.approx(equities["sharpe"] * math.sqrt(365 / 252))
    with_rf = summarise(days(8), EQUITY, [], 1000.0, 252, rf=0.001)
    returns = daily_returns(days(8), EQUITY)
    assert with_rf["sharpe"] == pytest.approx(ep.sharpe_ratio(returns, 0.001))
    assert with_rf["sortino"] == pytest.approx(ep.sortino_ratio(returns, 0.001))


def test_against_a_benchmark_alpha_and_beta_are_empyricals_on_daily_returns() -> None:
    bench = [50.0, 50.5, 50.0, 51.0, 49.0, 51.5, 52.0, 51.0]
    s = summarise(days(8), EQUITY, [], 1000.0, 252, benchmark=bench)
    ours = daily_returns(days(8), EQUITY)
    theirs = daily_returns(days(8), bench)
    alpha, beta = ep.alpha_beta(ours, theirs, annualization=252)
    assert s["alpha"] == pytest.approx(alpha, rel=1e-9)
    assert s["beta"] == pytest.approx(beta, rel=1e-9)
    assert s["benchmark_return"] == pytest.approx(51.0 / 50.0 - 1.0)
    with pytest.raises(ValueError, match="benchmark"):
        summarise(days(8), EQUITY, [], 1000.0, 252, benchmark=bench[:-1])


def test_held_flags_override_exposure_from_trades() -> None:
    held = [0, 1, 1, 0, 0, 0, 0, 2]
    assert summarise(days(8), EQUITY, [], 1000.0, 252, held=held)["exposure"] == 3 / 8


@pytest.mark.parametrize(
    ("equity", "trades"),
    [
        ([], []),  # a run that failed before its first bar
        ([1000.0], []),  # one point: no return, no drawdown
        ([1000.0] * 5, []),  # flat: Sharpe 0/0, no drawdown
        ([1000.0, 1001.0, 1002.0, 1003.0], ["win"]),  # never down: Sortino, profit factor inf
    ],
)
def test_undefined_figures_are_none_never_nan_or_inf(
    equity: list[float], trades: list[str]
) -> None:
    ts = days(len(equity))
    closed_trades = [closed(T0, T0 + timedelta(days=1), "5", "a") for _ in trades]
    s = summarise(ts, equity, closed_trades, 1000.0, 252)
    assert json_ready(s)
    assert s["sharpe"] is None or len(equity) == 4
    if len(equity) == 4:
        assert (s["sortino"], s["calmar"], s["profit_factor"]) == (None, None, None)
        assert s["max_drawdown"] == 0.0
    if not equity:
        assert (s["final_equity"], s["total_return"], s["start"]) == (1000.0, 0.0, None)


def test_a_million_minute_points_take_well_under_a_second_or_two() -> None:
    n = 1_000_000
    start = datetime(2020, 1, 1, tzinfo=UTC)
    ts = [start + timedelta(minutes=i) for i in range(n)]
    rng = np.random.default_rng(7)
    equity = list(100_000.0 * np.cumprod(1.0 + rng.normal(0.0, 1e-4, n)))
    trades = [closed(ts[i], ts[i + 20], "1.5", "a", "b") for i in range(0, n - 50, 50)]
    began = time.perf_counter()
    s = summarise(ts, equity, trades, 100_000.0, 365)
    elapsed = time.perf_counter() - began
    assert s["daily_returns"] == 695  # 2020-01-01 .. 2021-11-25, the first day's move included
    assert s["exposure"] == pytest.approx(0.4, abs=1e-3)
    assert elapsed < 5.0, f"summarise took {elapsed:.2f} s on 1M points (about 0.3 s expected)"
