"""What a data directory holds: series, first and last bar, rows; one line when it holds none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tradebot.adapters.parquet import (
    bar_file,
    data_range,
    data_symbols,
    format_range,
    list_series,
)
from tradebot.adapters.parquet.layout import OhlcvArrays, write_ohlcv_files
from tradebot.data import sample_data_dir
from tradebot.domain import DataError, Timeframe, UnknownSymbolError

DAY_NS = 86_400 * 10**9
BASE_NS = int(np.datetime64("2020-01-06T21:00", "ns").astype(np.int64))


def series(days: list[int]) -> OhlcvArrays:
    ts = np.array([BASE_NS + d * DAY_NS for d in days], dtype=np.int64)
    close = np.arange(1.0, len(days) + 1.0)
    return OhlcvArrays(ts, close, close + 1, close - 0.5, close, np.full(len(days), 10.0))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_ohlcv_files(
        {
            bar_file(tmp_path, "MSFT", Timeframe.D1): series([0, 1, 2]),
            bar_file(tmp_path, "AAPL", Timeframe.D1): series([3, 10]),
            bar_file(tmp_path, "AAPL", Timeframe.M1): series([0]),
            bar_file(tmp_path, "BTC/USDT", Timeframe.H1): series([]),
        }
    )
    (tmp_path / "notes.txt").write_text("not bars")
    (tmp_path / "AAPL_2h.parquet").write_text("not a timeframe")
    return tmp_path


def test_list_series_gives_rows_and_first_and_last_bar_by_symbol_then_timeframe(
    folder: Path,
) -> None:
    listed = [(s.symbol, s.timeframe, s.rows, s.first, s.last) for s in list_series(folder)]
    day = datetime(2020, 1, 6, 21, tzinfo=UTC)
    assert listed == [
        ("AAPL", Timeframe.M1, 1, day, day),
        (
            "AAPL",
            Timeframe.D1,
            2,
            datetime(2020, 1, 9, 21, tzinfo=UTC),
            datetime(2020, 1, 16, 21, tzinfo=UTC),
        ),
        ("BTC/USDT", Timeframe.H1, 0, None, None),
        ("MSFT", Timeframe.D1, 3, day, datetime(2020, 1, 8, 21, tzinfo=UTC)),
    ]
    assert [s.symbol for s in list_series(folder, Timeframe.D1)] == ["AAPL", "MSFT"]


def test_the_bundled_data_lists_every_symbol() -> None:
    listed = list_series(sample_data_dir("equities_daily"))
    assert len(listed) == 11
    aapl = next(s for s in listed if s.symbol == "AAPL")
    assert aapl.rows == 1586
    assert aapl.first is not None and aapl.last is not None
    assert format_range(aapl.first, aapl.last, Timeframe.D1) == "2015-01-02 → 2021-04-21"


def test_a_missing_or_empty_directory_is_one_line(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        list_series(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"empty holds no bar files"):
        list_series(tmp_path / "empty")
    with pytest.raises(DataError) as err:
        list_series(folder, Timeframe.M5)
    assert "holds no 5m bar files" in err.value.message
    assert "(it has 1m, 1h, 1d bars)" in err.value.message


def test_data_symbols_is_what_a_folder_holds_at_a_timeframe(folder: Path) -> None:
    assert data_symbols(folder, Timeframe.D1) == ("AAPL", "MSFT")
    assert data_symbols(folder, Timeframe.H1) == ("BTC/USDT",)
    with pytest.raises(DataError, match=r"holds no 15m bar files .*\(it has 1m, 1h, 1d bars\)"):
        data_symbols(folder, Timeframe.M15)
    with pytest.raises(DataError, match="does not exist"):
        data_symbols(folder / "nowhere", Timeframe.D1)


def test_data_range_names_the_first_and_last_bar(folder: Path) -> None:
    first, last = data_range(folder, "AAPL", Timeframe.D1) or (None, None)
    assert (first, last) == (
        datetime(2020, 1, 9, 21, tzinfo=UTC),
        datetime(2020, 1, 16, 21, tzinfo=UTC),
    )
    assert data_range(folder, "BTC/USDT", Timeframe.H1) is None
    with pytest.raises(UnknownSymbolError, match=r"'TSLA'.*AAPL, MSFT"):
        data_range(folder, "TSLA", Timeframe.D1)


def test_an_unreadable_file_is_named(folder: Path) -> None:
    (folder / "BAD_1d.parquet").write_text("this is not parquet")
    with pytest.raises(DataError, match=r"BAD_1d\.parquet: cannot read Parquet bars"):
        list_series(folder, Timeframe.D1)


def test_format_range_keeps_the_time_of_intraday_bars() -> None:
    first = datetime(2020, 1, 6, 14, 31, tzinfo=UTC)
    last = datetime(2020, 1, 7, 21, tzinfo=UTC)
    assert format_range(first, last, Timeframe.M1) == "2020-01-06 14:31 UTC → 2020-01-07 21:00 UTC"
