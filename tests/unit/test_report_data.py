"""report_data gathers a run's report: its benchmark, clipped prices, attribution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from tests.unit.test_report_html import trade
from tradebot.backtest.metrics import alpha_beta, daily_returns
from tradebot.backtest.report import buy_and_hold, report_data
from tradebot.backtest.report.data import to_ns, to_values
from tradebot.engine.kernel import RunResult

START = datetime(2019, 1, 2, 21, tzinfo=UTC)
DAYS = [START + timedelta(days=i) for i in range(50)]


def _result(benchmark: list[float] | None = None) -> RunResult:
    equity = [100_000.0 * (1 + 0.001 * i + 0.003 * (-1) ** i) for i in range(50)]
    return RunResult(
        run_id="bt-1",
        status="completed",
        metrics={"initial_equity": 100_000.0, "alpha": 0.5, "beta": 0.1, "benchmark_return": 0.2},
        trades=[trade("AAPL", 3, 4, "10", "11", ("macd", "news"))],
        equity_ts=DAYS,
        equity=equity,
        skip_reasons={"cooldown": 2},
        benchmark=benchmark if benchmark is not None else [100_000.0 + i for i in range(50)],
    )


def test_the_runs_own_benchmark_is_drawn_by_default() -> None:
    data = report_data(_result(), title="t", prices={"AAPL": (DAYS, [1.0] * 50)})
    assert data.benchmark is not None
    assert to_values(data.benchmark[1])[-1] == 100_049.0
    assert data.benchmark_label == "Buy & hold AAPL"
    assert data.metrics["alpha"] == 0.5  # the run's own figures stand
    assert data.skip_reasons == {"cooldown": 2}
    assert data.attribution is not None
    assert set(data.attribution) == {"macd", "news"}
    assert data.attribution["macd"]["pnl"] == 5.0  # split equally between the two


def test_a_given_benchmark_replaces_the_runs_and_its_figures() -> None:
    spy = (DAYS, [400.0 * (1 + 0.002 * i) for i in range(50)])
    result = _result()
    data = report_data(result, title="t", prices={}, benchmark=spy, benchmark_label="SPY")
    assert data.benchmark_label == "SPY"
    assert data.metrics["benchmark_return"] == pytest.approx(0.098)
    days = to_ns(DAYS).view("datetime64[ns]")
    a, b = alpha_beta(daily_returns(days, result.equity), daily_returns(days, spy[1]), 252.0, 0.0)
    assert data.metrics["beta"] == pytest.approx(b)
    assert data.metrics["alpha"] == pytest.approx(a)


def test_prices_and_benchmark_are_clipped_to_the_run() -> None:
    longer = [START + timedelta(days=i) for i in range(-30, 80)]
    data = report_data(
        _result(),
        title="t",
        prices={"AAPL": (longer, list(range(110)))},
        benchmark=(longer, [1.0 + i for i in range(110)]),
    )
    t = to_ns(data.prices["AAPL"][0])
    assert t[0] == to_ns(DAYS)[0] and t[-1] == to_ns(DAYS)[-1]
    assert to_values(data.prices["AAPL"][1])[0] == 30.0


def test_buy_and_hold_splits_equally_and_holds_cash_until_a_symbol_starts() -> None:
    t = to_ns(DAYS[:4]).view("datetime64[ns]")
    prices = {
        "A": (t, np.array([10.0, 20.0, 20.0, 40.0])),
        "B": (t[2:], np.array([5.0, 2.5])),
    }
    times, values = buy_and_hold(prices, 1_000.0)
    assert times.tolist() == t.tolist()
    assert values.tolist() == [1_000.0, 1_500.0, 1_500.0, 2_000.0 + 250.0]
    _, later = buy_and_hold(prices, 1_000.0, start=DAYS[1])
    assert later.tolist() == [1_000.0, 1_000.0, 1_000.0 + 250.0]


def test_naive_and_aware_times_mean_the_same_instant() -> None:
    aware = to_ns([START])
    naive = to_ns(np.array([START.replace(tzinfo=None)], dtype="datetime64[ns]"))
    assert aware.tolist() == naive.tolist()
