"""A backtest on the bundled daily bars through the runtime's wiring: the risk stage has the
clock for its timed duties, yet no duty ever runs on a timer — with daily bars stamped at
the close every duty is done at the daily review, as before timers existed, so a daily
backtest decides, orders and fills exactly as it did."""

from __future__ import annotations

from datetime import UTC, datetime

from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.engine.risk_stage import RiskStage
from tradebot.runtime.wiring import RunRequest, build_kernel
from tradebot.testing import MemoryStore

REQUEST = RunRequest(
    symbols=("AAPL", "JPM", "XOM", "KO", "NVDA"),
    start=datetime(2019, 1, 1, tzinfo=UTC),
    end=datetime(2020, 12, 31, tzinfo=UTC),
    strategies=("momentum", "macd", "mean_reversion"),
    data_dir=sample_data_dir("equities_daily"),
)


def test_a_daily_backtest_runs_no_duty_on_a_timer() -> None:
    store = MemoryStore()
    kernel = build_kernel(load_settings(), REQUEST, store)
    stage = kernel.decisions
    assert isinstance(stage, RiskStage) and stage.duties is not None  # it has the clock
    result = kernel.run()
    assert result.counts["acted"] >= 20  # it traded: the check means something
    assert stage.exits > 0  # and its reviews sold
    assert dict(stage.duties.counts) == {}
    assert dict(stage.duties.timers.pending) == {}  # not even one waiting
