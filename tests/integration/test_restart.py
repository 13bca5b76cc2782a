"""Stop a paper replay halfway (or crash it), start it again: the engine rebuilds tiers,
reserve, breakers, stops and open lots from the store and continues with the same
decisions, orders, fills, trades and risk history as an uninterrupted run — on SQLite and
on PostgreSQL; and the resumed run's summary (its RunResult and the metrics stored for
`backtest show`) is the uninterrupted run's, not only what followed the resume."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings, load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain import Bar, Mode
from tradebot.domain.errors import ConfigError, DataError
from tradebot.domain.run import RunInfo
from tradebot.engine.bus import StageError
from tradebot.engine.kernel import Kernel, RunResult
from tradebot.engine.topics import MARKET_BARS
from tradebot.ports import StateDocument, document_of
from tradebot.risk import RiskState
from tradebot.risk.records import encode_event
from tradebot.runtime.resume_run import resume_kernel
from tradebot.runtime.wiring import RunRequest, build_kernel

SYMBOLS = ("AAPL", "JPM", "XOM", "KO", "NVDA")
REQUEST = RunRequest(
    symbols=SYMBOLS,
    start=datetime(2019, 1, 1, tzinfo=UTC),
    end=datetime(2020, 12, 31, tzinfo=UTC),
    strategies=("momentum", "macd", "mean_reversion"),
    data_dir=sample_data_dir("equities_daily"),
    mode=Mode.PAPER,
    speed=1e12,
)


class SavingStore(SqlStore):
    """A real SQL store that also keeps every risk state it was asked to save, by time."""

    def __init__(self, url: str) -> None:
        super().__init__(url, batch_size=1)
        self.saved: dict[datetime, dict[str, Any]] = {}

    def save_risk_state(self, run_id: str, as_of: datetime, state: StateDocument) -> None:
        self.saved[as_of] = document_of(state)
        super().save_risk_state(run_id, as_of, state)


def _settings() -> Settings:
    return load_settings()


def _records(store: SqlStore, run_id: str) -> dict[str, Any]:
    events = store.risk_events(run_id)
    checkpoint = store.load_risk_state(run_id)
    assert checkpoint is not None
    return {
        "decisions": store.decisions(run_id),
        "signals": store.signals(run_id),
        "orders": store.orders(run_id),
        "fills": store.fills(run_id),
        "trades": store.closed_trades(run_id),
        "positions": store.positions(run_id),
        "risk_events": sorted(events, key=lambda e: encode_event(e).id),
        "risk_state": checkpoint,
    }


def _summary(result: RunResult, store: SqlStore) -> dict[str, Any]:
    """What a run's summary shows: the RunResult's figures (there is no timing among them)
    and the metrics finish_run stored, which `backtest show` prints."""
    record = store.run(result.run_id)
    assert record is not None
    return {
        "status": result.status,
        "metrics": result.metrics,
        "counts": result.counts,
        "skip_reasons": result.skip_reasons,
        "trades": result.trades,
        "equity_ts": result.equity_ts.tolist(),
        "equity": result.equity.tolist(),
        "benchmark": result.benchmark.tolist(),
        "stored_metrics": record.metrics,
    }


Straight = tuple[RunInfo, dict[str, Any], SavingStore]


@pytest.fixture(scope="module")
def straight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Straight]:
    """The uninterrupted paper replay, its records (its summary under ``summary``) and
    every state it saved."""
    url = f"sqlite:///{tmp_path_factory.mktemp('straight') / 'a.db'}"
    store = SavingStore(url)
    with store:
        kernel = build_kernel(_settings(), REQUEST, store)
        result = kernel.run()
        assert result.status == "completed"
        records = _records(store, kernel.run_info.id)
        summary = _summary(result, store)
        assert summary["skip_reasons"] and result.metrics["decisions_skipped"] > 0
        acted = [d for d in records["decisions"] if d.action.value == "act"]
        exits = [d for d in acted if d.strategies and d.strategies[0].startswith("risk:")]
        assert len(acted) > 100 and len(exits) > 20, (
            "the run trades: the comparison means something"
        )
        yield kernel.run_info, {**records, "summary": summary}, store


def _first_part(url: str, run: RunInfo, at_bar: int, action: Callable[[Kernel], None]) -> str:
    with SqlStore(url, batch_size=1) as store:
        kernel = build_kernel(_settings(), REQUEST, store, run=run)
        seen = [0]

        def count(bar: Bar) -> None:
            seen[0] += 1
            if seen[0] == at_bar:
                action(kernel)

        kernel._bus.subscribe(MARKET_BARS, count, stage="test")
        try:
            status = kernel.run().status
        except StageError:
            status = "failed"
    return status


def _resume(url: str, run_id: str) -> dict[str, Any]:
    """The resumed run's records and its summary (under ``summary``)."""
    with SqlStore(url, batch_size=1) as store:
        result = resume_kernel(_settings(), store, run_id, speed=1e12).run()
        assert result.status == "completed"
        return {**_records(store, run_id), "summary": _summary(result, store)}


def _assert_same(resumed: dict[str, Any], expected: dict[str, Any]) -> None:
    """Record for record and figure for figure, one key at a time (readable failures)."""
    assert resumed.keys() == expected.keys()
    for key in ("decisions", "orders", "fills", "trades"):
        assert resumed[key] == expected[key], key
    for key, value in expected["summary"].items():
        assert resumed["summary"][key] == value, key
    assert resumed == expected


def _crash(kernel: Kernel) -> None:
    raise RuntimeError("power cut")


@pytest.mark.parametrize("at_bar", [1203, 2101])
def test_a_stopped_paper_replay_resumes_with_identical_decisions(
    straight: Straight, db_url: str, at_bar: int
) -> None:
    run, expected, saving = straight
    assert _first_part(db_url, run, at_bar, Kernel.stop) == "stopped"
    with SqlStore(db_url) as store:
        checkpoint = store.load_risk_state(run.id)
        record = store.run(run.id)
    assert record is not None and record.status == "stopped"
    assert checkpoint is not None and checkpoint.as_of < REQUEST.end  # type: ignore[operator]
    # what the store rebuilds the engine from is the uninterrupted run's state at that time
    assert checkpoint.state == saving.saved[checkpoint.as_of]
    rebuilt = RiskState.from_dict(checkpoint.state)
    assert rebuilt.stops and rebuilt.lots.open_lots and rebuilt.performance.closes
    _assert_same(_resume(db_url, run.id), expected)


def test_a_crashed_paper_replay_restarts_from_its_last_saved_day(
    straight: Straight, sqlite_url: str
) -> None:
    run, expected, _ = straight
    assert _first_part(sqlite_url, run, 1502, _crash) == "failed"  # mid bar time, unsaved
    _assert_same(_resume(sqlite_url, run.id), expected)


def test_a_record_that_does_not_replay_stops_the_resume(
    straight: Straight, sqlite_url: str
) -> None:
    run, _, _ = straight
    _first_part(sqlite_url, run, 1203, Kernel.stop)
    with SqlStore(sqlite_url) as store, store.session() as session:
        session.execute(text("update fills set price = price + 1"))
    with SqlStore(sqlite_url, batch_size=1) as store, pytest.raises(StageError) as info:
        resume_kernel(_settings(), store, run.id, speed=1e12).run()
    cause = info.value.__cause__
    assert isinstance(cause, DataError) and "the run recorded a different fill" in str(cause)


def test_resume_refuses_unknown_completed_and_unsaved_runs(
    straight: Straight, tmp_path: Path
) -> None:
    run, _, saving = straight
    with pytest.raises(ConfigError, match="no run 'nope'"):
        resume_kernel(_settings(), saving, "nope")
    with pytest.raises(ConfigError, match="completed: nothing to resume"):
        resume_kernel(_settings(), saving, run.id)
    with SqlStore(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.start_run(run)
        with pytest.raises(ConfigError, match="saved no state"):
            resume_kernel(_settings(), store, run.id)


NEWS_REQUEST = RunRequest(
    symbols=("AAPL", "FB"),
    start=datetime(2015, 1, 1, tzinfo=UTC),
    end=datetime(2015, 6, 30, tzinfo=UTC),
    strategies=("news", "momentum"),
    data_dir=sample_data_dir("stocknet"),
    news_file=sample_news_file(),
    mode=Mode.PAPER,
    speed=1e12,
)


def test_a_resumed_news_replay_counts_the_news_of_its_whole_run(tmp_path: Path) -> None:
    """News signals, the decisions acted on them and the scored articles of the part
    before the stop are in the resumed run's summary."""
    with SqlStore(f"sqlite:///{tmp_path / 'straight.db'}", batch_size=1) as store:
        kernel = build_kernel(_settings(), NEWS_REQUEST, store)
        expected = _summary(kernel.run(), store)
    run = kernel.run_info
    counts = expected["counts"]
    assert counts["news_signals"] > 0 and counts["news_acted"] > 0 and counts["articles"] > 0
    url = f"sqlite:///{tmp_path / 'resumed.db'}"
    with SqlStore(url, batch_size=1) as store:
        first = build_kernel(_settings(), NEWS_REQUEST, store, run=run)
        seen = [0]

        def stop_halfway(bar: Bar) -> None:
            seen[0] += 1
            if seen[0] == counts["bars"] // 2:
                first.stop()

        first._bus.subscribe(MARKET_BARS, stop_halfway, stage="test")
        stopped = first.run()
    assert stopped.status == "stopped"
    assert 0 < stopped.metrics["news_signals"] < expected["metrics"]["news_signals"]
    with SqlStore(url, batch_size=1) as store:
        resumed = _summary(resume_kernel(_settings(), store, run.id, speed=1e12).run(), store)
    for key, value in expected.items():
        assert resumed[key] == value, key
