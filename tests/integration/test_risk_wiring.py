"""The composition root builds the decision stage the settings ask for, and the risk engine
reads the earnings dates imported into the database on top of the bundled ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain import Timeframe
from tradebot.domain.enums import Direction
from tradebot.engine.decision_stage import DecisionStage
from tradebot.engine.risk_stage import RiskStage
from tradebot.risk import SignalView, StaticMarket, StaticPortfolio
from tradebot.risk.earnings import parse_earnings_csv
from tradebot.runtime.wiring import RunRequest, build_kernel, risk_setup

NOON = datetime(2021, 3, 2, 17, tzinfo=UTC)  # Tuesday, 12:00 New York


def _feed() -> ParquetReplayFeed:
    return ParquetReplayFeed(
        sample_data_dir("equities_daily"),
        ["KO", "XOM"],
        Timeframe.D1,
        datetime(2021, 1, 4, tzinfo=UTC),
        datetime(2021, 3, 31, tzinfo=UTC),
    )


def _skip_reason(store: SqlStore) -> str | None:
    setup = risk_setup(load_settings(), _feed(), store)
    assert setup.calendar is not None
    assert setup.calendar.covers(date(2021, 1, 4)) and setup.calendar.covers(date(2021, 3, 31))
    signal = SignalView("s1", "KO", NOON, Direction.LONG, 0.7, Decimal(50))
    outcome = setup.engine.decide(
        signal,
        StaticPortfolio.of(Decimal(100_000)),
        StaticMarket(atrs={"KO": 1.0}),
        setup.engine.initial_state(),
        NOON,
    )
    return outcome.skip_reason


def test_imported_earnings_dates_reach_the_engine(sqlite_url: str) -> None:
    with SqlStore(sqlite_url) as store:
        assert _skip_reason(store) is None  # the bundled dates: no KO results that week
        store.import_earnings(
            parse_earnings_csv("symbol,earnings_date\nKO,2021-03-03\n"), "mine.csv", NOON
        )
        assert _skip_reason(store) == "earnings proximity"  # tomorrow: no new entry


@pytest.mark.parametrize(
    ("risk", "stage"),
    [
        ({}, RiskStage),
        ({"engine": "reference"}, DecisionStage),
        ({"sizing": "all_in"}, DecisionStage),
    ],
)
def test_the_settings_choose_the_decision_stage(
    sqlite_url: str, risk: dict[str, str], stage: type
) -> None:
    settings = load_settings(risk=risk)
    request = RunRequest(symbols=("KO",), data_dir=sample_data_dir("equities_daily"))
    with SqlStore(sqlite_url) as store:
        kernel = build_kernel(settings, request, store)
    assert type(kernel.decisions) is stage
    assert kernel.uses_batch_path is (stage is DecisionStage)
