"""ParquetReplayFeed: merge order, date window, errors, and the fast bar path."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.parquet import ParquetReplayFeed, available_symbols, bar_file
from tradebot.adapters.parquet.feed import _constructor_bars, _make_bars, utc_datetimes
from tradebot.adapters.parquet.layout import OhlcvArrays, write_ohlcv_files
from tradebot.domain import Bar, DataError, Timeframe, UnknownSymbolError
from tradebot.ports import MarketFeed

DAY_NS = 86_400 * 10**9
BASE_NS = int(np.datetime64("2020-01-06T21:00", "ns").astype(np.int64))


def series(days: list[int], seed: float = 1.0) -> OhlcvArrays:
    """Daily bars at BASE + day offsets, with prices that encode (seed, day) for checking."""
    ts = np.array([BASE_NS + d * DAY_NS for d in days], dtype=np.int64)
    close = np.array([seed * 1000 + d + 1 for d in days], dtype=np.float64)
    return OhlcvArrays(ts, close, close + 1, close - 0.5, close, np.full(len(days), 10.0))


def write(data_dir: Path, frames: dict[str, OhlcvArrays], tf: Timeframe = Timeframe.D1) -> None:
    write_ohlcv_files({bar_file(data_dir, s, tf): a for s, a in frames.items()})


@pytest.fixture
def two_symbols(tmp_path: Path) -> Path:
    write(tmp_path, {"AAPL": series([0, 1, 2, 3]), "MSFT": series([1, 2, 4], seed=2.0)})
    return tmp_path


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), unique=True, max_size=12).map(sorted),
        min_size=1,
        max_size=4,
    )
)
def test_bars_are_every_row_in_time_then_symbol_order(day_lists: list[list[int]]) -> None:
    symbols = [f"S{i}" for i in range(len(day_lists))][::-1]  # order differs from names
    with tempfile.TemporaryDirectory() as tmp:
        write(
            Path(tmp),
            {
                s: series(d, seed=i + 1)
                for i, (s, d) in enumerate(zip(symbols, day_lists, strict=True))
            },
        )
        bars = list(ParquetReplayFeed(Path(tmp), symbols, Timeframe.D1).bars())
    keys = [(b.ts, symbols.index(b.symbol)) for b in bars]
    assert keys == sorted(keys)
    expected = sorted(
        (BASE_NS + d * DAY_NS, s) for s, days in zip(symbols, day_lists, strict=True) for d in days
    )
    got = sorted((int(b.ts.timestamp()) * 10**9, b.symbol) for b in bars)
    assert got == expected
    for bar in bars:
        seed = symbols.index(bar.symbol) + 1
        day = (int(bar.ts.timestamp()) * 10**9 - BASE_NS) // DAY_NS
        assert bar.close == seed * 1000 + day + 1


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(st.none(), st.integers(min_value=-2, max_value=8)),
    st.one_of(st.none(), st.integers(min_value=-2, max_value=8)),
)
def test_start_end_are_inclusive_dates(lo: int | None, hi: int | None) -> None:
    days = list(range(6))
    # Midnight bounds: the bar that closes at 21:00 UTC on the end date still counts.
    start = datetime(2020, 1, 6 + lo) if lo is not None else None
    end = datetime(2020, 1, 6 + hi) if hi is not None else None
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), {"AAPL": series(days)})
        if start is not None and end is not None and start > end:
            with pytest.raises(DataError, match="after end"):
                ParquetReplayFeed(Path(tmp), ["AAPL"], Timeframe.D1, start, end)
            return
        bars = list(ParquetReplayFeed(Path(tmp), ["AAPL"], Timeframe.D1, start, end).bars())
    low = -99 if lo is None else lo
    high = 99 if hi is None else hi
    assert [b.ts.day for b in bars] == [6 + d for d in days if low <= d <= high]


def test_ties_follow_symbol_order(two_symbols: Path) -> None:
    bars = list(ParquetReplayFeed(two_symbols, ["MSFT", "AAPL"], Timeframe.D1).bars())
    assert [b.symbol for b in bars] == ["AAPL", "MSFT", "AAPL", "MSFT", "AAPL", "AAPL", "MSFT"]


def test_bars_are_utc_aware_and_the_feed_is_a_market_feed(two_symbols: Path) -> None:
    feed = ParquetReplayFeed(two_symbols, ["AAPL", "MSFT"], Timeframe.D1)
    assert isinstance(feed, MarketFeed)
    bars = list(feed.bars())
    assert all(b.ts.tzinfo is UTC and b.timeframe is Timeframe.D1 for b in bars)
    assert bars[0].ts == datetime(2020, 1, 6, 21, tzinfo=UTC)
    assert list(feed.bars()) == bars  # each call replays from the start
    assert len(feed) == len(bars) == 7


def test_frame_is_indexed_by_utc_close(two_symbols: Path) -> None:
    feed = ParquetReplayFeed(two_symbols, ["AAPL", "MSFT"], Timeframe.D1, end=datetime(2020, 1, 7))
    frame = feed.frame("MSFT")
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert str(frame.index.tz) == "UTC"
    assert frame.index.name == "timestamp"
    assert frame["close"].tolist() == [2002.0]
    with pytest.raises(UnknownSymbolError, match="'TSLA'"):
        feed.frame("TSLA")


def test_span_is_the_first_and_last_close_of_the_frame(two_symbols: Path) -> None:
    start = datetime(2020, 1, 2)
    feed = ParquetReplayFeed(two_symbols, ["AAPL", "MSFT"], Timeframe.D1, start=start)
    for symbol in ("AAPL", "MSFT"):
        index = feed.frame(symbol).index
        assert feed.span(symbol) == (index[0].to_pydatetime(), index[-1].to_pydatetime())
    empty = ParquetReplayFeed(two_symbols, ["AAPL"], Timeframe.D1, start=datetime(2030, 1, 1))
    assert empty.span("AAPL") is None
    with pytest.raises(UnknownSymbolError, match="'TSLA'"):
        feed.span("TSLA")


def test_unknown_symbol_names_symbol_dir_and_choices(two_symbols: Path) -> None:
    with pytest.raises(UnknownSymbolError) as err:
        ParquetReplayFeed(two_symbols, ["AAPL", "NOPE"], Timeframe.D1)
    text = err.value.one_line()
    assert "'NOPE'" in text
    assert str(two_symbols) in text
    assert "AAPL, MSFT" in text


def test_missing_directory_is_a_data_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        ParquetReplayFeed(tmp_path / "nowhere", ["AAPL"], Timeframe.D1)
    assert "does not exist" in err.value.message
    assert "tradebot data import" in err.value.hint


def test_available_symbols_is_per_timeframe(two_symbols: Path) -> None:
    write(two_symbols, {"BTCUSD": series([0])}, Timeframe.H1)
    assert available_symbols(two_symbols, Timeframe.D1) == ["AAPL", "MSFT"]
    assert available_symbols(two_symbols, Timeframe.H1) == ["BTCUSD"]
    assert available_symbols(two_symbols / "none", Timeframe.D1) == []


def _raw_file(path: Path, ts: pa.Array, close: list[float], high: list[float]) -> None:
    n = len(close)
    table = pa.table(
        {
            "timestamp": ts,
            "open": close,
            "high": high,
            "low": [1.0] * n,
            "close": close,
            "volume": [5.0] * n,
        }
    )
    pq.write_table(table, path)


@pytest.mark.parametrize(
    ("ts_type", "days", "close", "high", "expected"),
    [
        (
            pa.timestamp("ns", "UTC"),
            [0, 1, 2],
            [2.0, float("nan"), 2.0],
            [3.0] * 3,
            "row 2: open is NaN",
        ),
        (
            pa.timestamp("ns", "UTC"),
            [0, 1, 2],
            [2.0] * 3,
            [3.0, 3.0, 0.5],
            "row 3: high 0.5 < low 1",
        ),
        (pa.timestamp("ns", "UTC"), [0, 2, 1], [2.0] * 3, [3.0] * 3, "row 3: timestamp"),
        (pa.timestamp("ns", "UTC"), [0, 1, 1], [2.0] * 3, [3.0] * 3, "row 3: duplicate timestamp"),
        (pa.timestamp("ns"), [0, 1, 2], [2.0] * 3, [3.0] * 3, "naive"),
    ],
)
def test_corrupt_files_are_refused_naming_file_and_row(
    tmp_path: Path,
    ts_type: pa.DataType,
    days: list[int],
    close: list[float],
    high: list[float],
    expected: str,
) -> None:
    ts = pa.array([BASE_NS + d * DAY_NS for d in days], pa.int64()).cast(ts_type)
    _raw_file(tmp_path / "BAD_1d.parquet", ts, close, high)
    feed = ParquetReplayFeed(tmp_path, ["BAD"], Timeframe.D1)
    with pytest.raises(DataError) as err:
        list(feed.bars())
    assert "BAD_1d.parquet" in err.value.message
    assert expected in err.value.message


def test_fast_bar_path_builds_the_same_bars_as_the_constructor() -> None:
    ts = utc_datetimes(np.array([BASE_NS, BASE_NS, BASE_NS + DAY_NS], dtype=np.int64))
    args = (
        ["A", "B", "A"],
        Timeframe.H1,
        ts,
        [1.0, 2.0, 3.0],
        [4.0] * 3,
        [0.5] * 3,
        [2.0] * 3,
        [9.0] * 3,
    )
    fast, plain = list(_make_bars(*args)), list(_constructor_bars(*args))
    assert fast == plain
    assert all(type(b) is Bar for b in fast)
    assert ts[0] is ts[1]  # one datetime per distinct time, shared
    assert fast[2].ts == datetime(2020, 1, 7, 21, tzinfo=UTC)
