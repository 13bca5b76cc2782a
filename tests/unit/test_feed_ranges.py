"""A run's range against its data: start after end in the user's dates, no bars in range
refused with the data's actual range, some symbols without bars warned about in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from structlog.testing import capture_logs

from tradebot.adapters.parquet import ParquetReplayFeed, bar_file
from tradebot.adapters.parquet.layout import OhlcvArrays, write_ohlcv_files
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain import ConfigError, DataError, Mode, Timeframe
from tradebot.runtime.ranges import check_dates, require_bars
from tradebot.runtime.wiring import RunRequest, build_kernel
from tradebot.testing import MemoryStore

DAY_NS = 86_400 * 10**9
BASE_NS = int(np.datetime64("2020-01-06T21:00", "ns").astype(np.int64))  # a Monday close


def day(text: str, *, end: bool = False) -> datetime:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return moment.replace(hour=23, minute=59) if end else moment


def series(days: list[int]) -> OhlcvArrays:
    ts = np.array([BASE_NS + d * DAY_NS for d in days], dtype=np.int64)
    close = np.arange(1.0, len(days) + 1.0)
    return OhlcvArrays(ts, close, close + 1, close - 0.5, close, np.full(len(days), 10.0))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """AAPL 2020-01-06..2020-01-15, MSFT 2020-01-06..2020-01-08, EMPTY no rows."""
    write_ohlcv_files(
        {
            bar_file(tmp_path, "AAPL", Timeframe.D1): series(list(range(10))),
            bar_file(tmp_path, "MSFT", Timeframe.D1): series([0, 1, 2]),
            bar_file(tmp_path, "EMPTY", Timeframe.D1): series([]),
        }
    )
    return tmp_path


def test_span_since_counts_only_the_bars_from_that_date(folder: Path) -> None:
    feed = ParquetReplayFeed(folder, ["AAPL", "MSFT"], Timeframe.D1, start=day("2020-01-01"))
    assert feed.span("AAPL", since=day("2020-01-09")) == (
        datetime(2020, 1, 9, 21, tzinfo=UTC),
        datetime(2020, 1, 15, 21, tzinfo=UTC),
    )
    assert feed.span("MSFT", since=day("2020-01-09")) is None
    assert feed.span("MSFT", since=day("2020-01-08")) == (
        datetime(2020, 1, 8, 21, tzinfo=UTC),
        datetime(2020, 1, 8, 21, tzinfo=UTC),
    )


def test_file_span_is_the_whole_file_whatever_the_window(folder: Path) -> None:
    feed = ParquetReplayFeed(folder, ["MSFT", "EMPTY"], Timeframe.D1, start=day("2030-01-01"))
    assert feed.span("MSFT") is None
    assert feed.file_span("MSFT") == (
        datetime(2020, 1, 6, 21, tzinfo=UTC),
        datetime(2020, 1, 8, 21, tzinfo=UTC),
    )
    assert feed.file_span("EMPTY") is None


def test_start_after_end_names_the_users_dates() -> None:
    check_dates(day("2020-06-01"), day("2020-06-01", end=True))
    check_dates(None, day("2020-06-01"))
    with pytest.raises(ConfigError, match="start 2020-06-15 is after end 2020-06-01"):
        check_dates(day("2020-06-15"), day("2020-06-01", end=True))


def test_no_bars_in_range_names_the_datas_range(folder: Path) -> None:
    feed = ParquetReplayFeed(folder, ["AAPL"], Timeframe.D1, day("2030-01-01"), day("2030-02-01"))
    with pytest.raises(DataError) as err:
        require_bars(feed, day("2030-01-01"), day("2030-02-01", end=True))
    assert err.value.message == (
        "no AAPL bars between 2030-01-01 and 2030-02-01: the data holds 2020-01-06 → 2020-01-15"
    )
    assert "tradebot data list" in err.value.hint


def test_warm_up_bars_alone_are_not_a_run(folder: Path) -> None:
    """The feed starts early for warm-up and holds bars, but none from the run's start on."""
    feed = ParquetReplayFeed(folder, ["MSFT"], Timeframe.D1, day("2020-01-01"), day("2020-02-01"))
    assert len(feed) == 3
    with pytest.raises(DataError, match="no MSFT bars between 2020-01-10 and 2020-02-01"):
        require_bars(feed, day("2020-01-10"), day("2020-02-01", end=True))


def test_several_symbols_without_bars_are_listed_with_their_ranges(folder: Path) -> None:
    feed = ParquetReplayFeed(folder, ["AAPL", "MSFT", "EMPTY"], Timeframe.D1, day("2030-01-01"))
    with pytest.raises(DataError) as err:
        require_bars(feed, day("2030-01-01"), None)
    assert err.value.message == (
        "no AAPL, MSFT, EMPTY bars from 2030-01-01 on: the data holds "
        "AAPL 2020-01-06 → 2020-01-15; MSFT 2020-01-06 → 2020-01-08; EMPTY no bars (empty file)"
    )


def test_symbols_without_bars_beside_others_are_one_warning(folder: Path) -> None:
    feed = ParquetReplayFeed(folder, ["AAPL", "MSFT", "EMPTY"], Timeframe.D1, day("2020-01-01"))
    with capture_logs() as logs:
        require_bars(feed, day("2020-01-10"), day("2020-01-20", end=True))
    assert [(e["log_level"], e["event"]) for e in logs] == [
        ("warning", "no MSFT, EMPTY bars between 2020-01-10 and 2020-01-20: they will not trade")
    ]
    assert logs[0]["data"] == "MSFT 2020-01-06 → 2020-01-08; EMPTY no bars (empty file)"
    with capture_logs() as logs:
        require_bars(feed, day("2020-01-06"), None)
    assert [e["event"] for e in logs] == ["no EMPTY bars from 2020-01-06 on: it will not trade"]


@pytest.mark.parametrize("mode", [Mode.BACKTEST, Mode.PAPER])
def test_build_kernel_refuses_before_the_warm_up_shift_in_every_mode(mode: Mode) -> None:
    settings = load_settings()
    data = sample_data_dir("equities_daily")
    backwards = RunRequest(
        ("AAPL",), day("2020-06-15"), day("2020-06-01", end=True), data_dir=data, mode=mode
    )
    with pytest.raises(ConfigError, match="start 2020-06-15 is after end 2020-06-01"):
        build_kernel(settings, backwards, MemoryStore())
    future = RunRequest(
        ("AAPL", "MSFT"), day("2030-01-01"), day("2030-02-01", end=True), data_dir=data, mode=mode
    )
    with pytest.raises(DataError) as err:
        build_kernel(settings, future, MemoryStore())
    assert err.value.message == (
        "no AAPL, MSFT bars between 2030-01-01 and 2030-02-01: the data holds "
        "AAPL, MSFT 2015-01-02 → 2021-04-21"
    )


def test_a_paper_replay_of_empty_data_is_refused(folder: Path) -> None:
    request = RunRequest(("EMPTY",), data_dir=folder, mode=Mode.PAPER)
    with pytest.raises(DataError, match=r"no EMPTY bars at all: the data holds no bars"):
        build_kernel(load_settings(), request, MemoryStore())
