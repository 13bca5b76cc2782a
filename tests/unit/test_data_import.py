"""import_csv: one clear line per bad input, nothing written on failure, faithful round trip."""

from __future__ import annotations

import gzip
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.parquet import ParquetReplayFeed, available_symbols, import_csv
from tradebot.domain import DataError, Timeframe

HEADER = "date,symbol,open,high,low,close,volume"
GOOD = [
    "2020-01-02,AAPL,10,12,9,11,100",
    "2020-01-02,MSFT,20,22,19,21,200",
    "2020-01-03,AAPL,11,13,10,12,110",
    "2020-01-03,MSFT,21,23,20,22,210",
]


def csv_file(tmp_path: Path, lines: list[str], name: str = "bars.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_round_trip_gives_the_same_values(tmp_path: Path) -> None:
    source = csv_file(tmp_path, [HEADER, *GOOD])
    report = import_csv(source, tmp_path / "data")
    assert report.rows == {"AAPL": 2, "MSFT": 2}
    assert [p.name for p in report.files] == ["AAPL_1d.parquet", "MSFT_1d.parquet"]
    assert report.symbols[0].first_ts == datetime(2020, 1, 2, 21, tzinfo=UTC)
    assert report.symbols[0].last_ts == datetime(2020, 1, 3, 21, tzinfo=UTC)
    bars = list(ParquetReplayFeed(tmp_path / "data", ["AAPL", "MSFT"], Timeframe.D1).bars())
    got = [(b.symbol, b.open, b.high, b.low, b.close, b.volume) for b in bars]
    want = [(r[1], *(float(x) for x in r[2:])) for r in (line.split(",") for line in GOOD)]
    assert got == want


def test_gzip_single_symbol_with_symbol_argument(tmp_path: Path) -> None:
    path = tmp_path / "aapl.csv.gz"
    path.write_bytes(
        gzip.compress(
            b"Timestamp,Open,High,Low,Close,Volume\n"
            b"2020-01-02T14:31:00Z,1,2,0.5,1.5,10\n"
            b"2020-01-02T14:32:00Z,1.5,2,1,1.8,0\n"
        )
    )
    report = import_csv(path, tmp_path / "d", timeframe=Timeframe.M1, symbol="AAPL")
    assert report.files == (tmp_path / "d" / "AAPL_1m.parquet",)
    assert report.symbols[0].first_ts == datetime(2020, 1, 2, 14, 31, tzinfo=UTC)


def test_symbol_argument_picks_one_symbol_of_a_long_file(tmp_path: Path) -> None:
    bad_msft = [*GOOD, "2020-01-06,MSFT,oops,1,1,1,1"]  # other symbols' rows are not checked
    report = import_csv(csv_file(tmp_path, [HEADER, *bad_msft]), tmp_path / "d", symbol="AAPL")
    assert report.rows == {"AAPL": 2}
    with pytest.raises(DataError, match="no rows for symbol 'TSLA'"):
        import_csv(csv_file(tmp_path, [HEADER, *GOOD]), tmp_path / "d", symbol="TSLA")


def test_naive_times_are_read_in_tz_and_stored_in_utc(tmp_path: Path) -> None:
    source = csv_file(
        tmp_path,
        [
            "datetime,open,high,low,close,volume",
            "2019-02-11 09:31:00,1,2,0.5,1.5,10",
            "2019-07-01 16:00:00,1,2,0.5,1.5,10",
        ],
    )
    report = import_csv(
        source, tmp_path / "d", timeframe=Timeframe.M1, symbol="SPY", tz="America/New_York"
    )
    assert report.symbols[0].first_ts == datetime(2019, 2, 11, 14, 31, tzinfo=UTC)
    assert report.symbols[0].last_ts == datetime(2019, 7, 1, 20, 0, tzinfo=UTC)


def test_date_only_rows_are_labelled_at_the_session_close(tmp_path: Path) -> None:
    source = csv_file(
        tmp_path,
        [
            HEADER,
            "2015-11-27,X,1,2,0.5,1.5,1",  # half day: 13:00 ET
            "2015-11-28,X,1,2,0.5,1.5,1",  # Saturday: end of UTC day
            "2015-11-30,X,1,2,0.5,1.5,1",
        ],
    )
    import_csv(source, tmp_path / "d")
    stamps = [b.ts for b in ParquetReplayFeed(tmp_path / "d", ["X"], Timeframe.D1).bars()]
    assert stamps == [
        datetime(2015, 11, 27, 18, tzinfo=UTC),
        datetime(2015, 11, 29, 0, tzinfo=UTC),
        datetime(2015, 11, 30, 21, tzinfo=UTC),
    ]
    import_csv(source, tmp_path / "crypto", calendar=None)
    crypto = ParquetReplayFeed(tmp_path / "crypto", ["X"], Timeframe.D1).bars()
    assert next(crypto).ts == datetime(2015, 11, 28, 0, tzinfo=UTC)


def test_adjusted_derives_open_high_low_from_adj_close(tmp_path: Path) -> None:
    source = csv_file(
        tmp_path,
        [
            "date,open,high,low,close,adj_close,volume",
            "2020-08-28,400,410,390,400,100,5",
            "2020-08-31,100,105,95,100,100,20",
        ],
    )
    import_csv(source, tmp_path / "d", symbol="AAPL", adjusted=True)
    bars = list(ParquetReplayFeed(tmp_path / "d", ["AAPL"], Timeframe.D1).bars())
    assert [(b.open, b.high, b.low, b.close) for b in bars] == [
        (100.0, 102.5, 97.5, 100.0),
        (100.0, 105.0, 95.0, 100.0),
    ]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            ["2020-01-02,AAPL,10,12,9,11,100", "2020-01-03,AAPL,,12,9,11,100"],
            "line 3: open is empty or not a number: ''",
        ),
        (
            ["2020-01-02,AAPL,10,12,9,11,100", "2020-01-03,AAPL,10,12,9,abc,100"],
            "line 3: close is empty or not a number: 'abc'",
        ),
        (
            ["2020-01-02,AAPL,10,12,9,11,100", "yesterday,AAPL,10,12,9,11,100"],
            "line 3: date 'yesterday' is not an ISO 8601 time",
        ),
        (["2020-01-02,AAPL,10,8,9,9,100"], "line 2: AAPL: high 8 < low 9"),
        (["2020-01-02,AAPL,10,12,0,11,100"], "line 2: AAPL: low 0 <= 0"),
        (["2020-01-02,AAPL,10,12,9,11,-1"], "line 2: AAPL: negative volume -1"),
        (
            ["2020-01-03,AAPL,10,12,9,11,1", "2020-01-02,AAPL,10,12,9,11,1"],
            "line 3: AAPL: timestamp 2020-01-02T21:00:00Z is earlier",
        ),
        (
            [
                "2020-01-02,AAPL,10,12,9,11,1",
                "2020-01-02,MSFT,1,2,1,1,1",
                "2020-01-02,AAPL,10,12,9,11,1",
            ],
            "line 4: AAPL: duplicate timestamp 2020-01-02T21:00:00Z",
        ),
        (["2020-01-02,,10,12,9,11,1"], "line 2: symbol is empty"),
    ],
)
def test_bad_rows_are_named_by_line_and_problem_and_nothing_is_written(
    tmp_path: Path, rows: list[str], expected: str
) -> None:
    source = csv_file(tmp_path, [HEADER, *rows])
    data_dir = tmp_path / "data"
    with pytest.raises(DataError) as err:
        import_csv(source, data_dir)
    message = err.value.one_line()
    assert "\n" not in message
    assert str(source) in message
    assert expected in message
    assert not data_dir.exists() or not any(data_dir.iterdir())


def test_first_bad_line_wins_and_the_rest_are_counted(tmp_path: Path) -> None:
    rows = [
        "2020-01-02,AAPL,10,8,9,9,100",
        "2020-01-03,AAPL,x,12,9,11,100",
        "2020-01-06,AAPL,10,12,9,11,-5",
    ]
    with pytest.raises(DataError, match=r"line 2: AAPL: high 8 < low 9 \(and 2 more bad rows\)"):
        import_csv(csv_file(tmp_path, [HEADER, *rows]), tmp_path / "d")


def test_a_failed_import_leaves_existing_files_untouched(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    import_csv(csv_file(tmp_path, [HEADER, *GOOD]), data_dir)
    before = {p.name: p.read_bytes() for p in data_dir.iterdir()}
    bad = csv_file(tmp_path, [HEADER, "2021-01-04,AAPL,1,2,1,1,1", "2021-01-05,MSFT,1,0.5,1,1,1"])
    with pytest.raises(DataError, match="line 3"):
        import_csv(bad, data_dir)
    assert {p.name: p.read_bytes() for p in data_dir.iterdir()} == before


def test_missing_columns_are_listed_with_what_is_required(tmp_path: Path) -> None:
    source = csv_file(tmp_path, ["when,symbol,open,close", "2020-01-02,A,1,1"])
    with pytest.raises(DataError) as err:
        import_csv(source, tmp_path / "d")
    message = err.value.message
    assert "missing column(s) timestamp (or date/datetime), high, low, volume" in message
    assert "required: timestamp (or date/datetime), open, high, low, close, volume" in message
    with pytest.raises(DataError, match="missing column"):
        import_csv(csv_file(tmp_path, [HEADER, *GOOD]), tmp_path / "d", adjusted=True)


def test_single_symbol_file_needs_a_symbol(tmp_path: Path) -> None:
    source = csv_file(tmp_path, ["date,open,high,low,close,volume", "2020-01-02,1,2,1,1,1"])
    with pytest.raises(DataError, match="no symbol column and no symbol given"):
        import_csv(source, tmp_path / "d")
    with pytest.raises(DataError, match="cannot be used as a file name"):
        import_csv(source, tmp_path / "d", symbol=".hidden")


def test_date_only_rows_need_a_daily_timeframe(tmp_path: Path) -> None:
    source = csv_file(tmp_path, [HEADER, *GOOD])
    with pytest.raises(DataError, match="line 2: date '2020-01-02' has no time of day"):
        import_csv(source, tmp_path / "d", timeframe=Timeframe.H1)


def test_nonexistent_local_time_and_bad_inputs(tmp_path: Path) -> None:
    source = csv_file(
        tmp_path, ["timestamp,open,high,low,close,volume", "2021-03-14 02:30:00,1,2,1,1,1"]
    )  # skipped by DST
    with pytest.raises(DataError, match=r"line 2: .* does not exist or is ambiguous"):
        import_csv(
            source, tmp_path / "d", symbol="X", timeframe=Timeframe.M1, tz="America/New_York"
        )
    with pytest.raises(DataError, match="unknown time zone"):
        import_csv(source, tmp_path / "d", symbol="X", tz="Mars/Olympus")
    with pytest.raises(DataError, match="no such file"):
        import_csv(tmp_path / "absent.csv", tmp_path / "d", symbol="X")
    with pytest.raises(DataError, match="line 3: 2 fields, but the header has 6"):
        import_csv(
            csv_file(
                tmp_path,
                ["timestamp,open,high,low,close,volume", "2020-01-02,1,2,1,1,1", "2020-01-03,1"],
            ),
            tmp_path / "d",
            symbol="X",
        )


def test_symbols_with_a_slash_are_percent_encoded_in_file_names(tmp_path: Path) -> None:
    source = csv_file(
        tmp_path,
        ["timestamp,symbol,open,high,low,close,volume", "2023-03-01T00:00:00Z,BTC/USDT,1,2,1,1,1"],
    )
    report = import_csv(source, tmp_path / "d", timeframe=Timeframe.M1)
    assert report.files == (tmp_path / "d" / "BTC%2FUSDT_1m.parquet",)
    assert available_symbols(tmp_path / "d", Timeframe.M1) == ["BTC/USDT"]
    bars = list(ParquetReplayFeed(tmp_path / "d", ["BTC/USDT"], Timeframe.M1).bars())
    assert [b.symbol for b in bars] == ["BTC/USDT"]


def _bytes(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())}


def test_a_symbol_with_stored_bars_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    import_csv(csv_file(tmp_path, [HEADER, *GOOD]), data_dir)
    before = _bytes(data_dir)
    short = csv_file(tmp_path, [HEADER, "2020-01-06,MSFT,1,2,1,1,1", "2020-01-06,AAPL,1,2,1,1,1"])
    with pytest.raises(DataError) as err:
        import_csv(short, data_dir)
    message = err.value.one_line()
    assert "MSFT_1d.parquet already holds 2 MSFT 1d bars, 2020-01-02 → 2020-01-03" in message
    assert "(and 1 more of this file's symbols have bars there)" in message
    assert "--append" in message and "--replace" in message
    assert _bytes(data_dir) == before


def test_replace_overwrites_and_counts_what_it_dropped(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    import_csv(csv_file(tmp_path, [HEADER, *GOOD]), data_dir)
    short = csv_file(tmp_path, [HEADER, "2020-01-06,AAPL,1,2,1,1.5,1"], name="short.csv")
    report = import_csv(short, data_dir, existing="replace")
    [aapl] = report.symbols
    assert (aapl.rows, aapl.new, aapl.present, aapl.replaced, aapl.total) == (1, 1, 0, 2, 1)
    bars = list(ParquetReplayFeed(data_dir, ["AAPL"], Timeframe.D1).bars())
    assert [b.close for b in bars] == [1.5]


def test_append_adds_new_bars_and_accepts_identical_ones(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    import_csv(csv_file(tmp_path, [HEADER, *GOOD]), data_dir)
    more = [
        "2019-12-31,AAPL,9,10,8,9,90",  # before what is stored
        "2020-01-03,AAPL,11,13,10,12,110",  # identical to the stored bar
        "2020-01-06,AAPL,12,14,11,13,120",  # after
    ]
    report = import_csv(
        csv_file(tmp_path, [HEADER, *more], name="more.csv"), data_dir, existing="append"
    )
    [aapl] = report.symbols
    assert (aapl.rows, aapl.new, aapl.present, aapl.replaced, aapl.total) == (3, 2, 1, 0, 4)
    assert aapl.first_ts == datetime(2019, 12, 31, 21, tzinfo=UTC)
    assert aapl.last_ts == datetime(2020, 1, 6, 21, tzinfo=UTC)
    bars = list(ParquetReplayFeed(data_dir, ["AAPL"], Timeframe.D1).bars())
    assert [b.close for b in bars] == [9.0, 11.0, 12.0, 13.0]
    again = import_csv(
        csv_file(tmp_path, [HEADER, *more], name="more.csv"), data_dir, existing="append"
    )
    assert (again.symbols[0].new, again.symbols[0].present, again.symbols[0].total) == (0, 3, 4)


def test_append_refuses_overlapping_bars_that_differ_and_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    import_csv(csv_file(tmp_path, [HEADER, *GOOD]), data_dir)
    before = _bytes(data_dir)
    rows = [
        "2020-01-02,MSFT,20,22,19,21,200",  # identical
        "2020-01-02,AAPL,10,12,9,11.5,100",  # close differs
        "2020-01-03,MSFT,21,23,20,22,999",  # volume differs
        "2020-01-06,AAPL,12,14,11,13,120",  # new: fine, but the file is refused as a whole
    ]
    with pytest.raises(DataError) as err:
        import_csv(
            csv_file(tmp_path, [HEADER, *rows], name="clash.csv"), data_dir, existing="append"
        )
    message = err.value.one_line()
    assert "clash.csv: 1 MSFT bar differs from those in" in message  # MSFT comes first
    assert "first at 2020-01-03T21:00:00Z (line 4: volume 999 in the file, 210 stored)" in message
    with pytest.raises(DataError, match=r"line 3: close 11.5 in the file, 11 stored"):
        import_csv(
            csv_file(tmp_path, [HEADER, *rows], name="clash.csv"),
            data_dir,
            symbol="AAPL",
            existing="append",
        )
    assert "nothing was written" in message
    assert _bytes(data_dir) == before
    volume = [HEADER, "2020-01-02,MSFT,1,2,1,1,1", "2020-01-03,MSFT,21,23,20,22,999"]
    with pytest.raises(DataError, match=r"2 MSFT bars differ .* first at 2020-01-02T21:00:00Z"):
        import_csv(csv_file(tmp_path, volume, name="v.csv"), data_dir, existing="append")
    assert _bytes(data_dir) == before


@settings(max_examples=60, deadline=None)
@given(
    stored=st.sets(st.integers(0, 40), min_size=1, max_size=15),
    incoming=st.sets(st.integers(0, 40), min_size=1, max_size=15),
)
def test_append_keeps_the_union_of_times_and_counts_every_csv_row(
    stored: set[int], incoming: set[int]
) -> None:
    def rows(days: set[int]) -> list[str]:
        start = np.datetime64("2021-01-01")
        return [f"{start + d},X,{d + 1},{d + 2},{d + 0.5},{d + 1},{d}" for d in sorted(days)]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import_csv(csv_file(folder, [HEADER, *rows(stored)]), folder / "d", calendar=None)
        report = import_csv(
            csv_file(folder, [HEADER, *rows(incoming)], name="in.csv"),
            folder / "d",
            calendar=None,
            existing="append",
        )
        [entry] = report.symbols
        assert entry.new == len(incoming - stored)
        assert entry.present == len(incoming & stored)
        assert entry.total == len(stored | incoming)
        bars = list(ParquetReplayFeed(folder / "d", ["X"], Timeframe.D1).bars())
        assert [int(b.volume) for b in bars] == sorted(stored | incoming)
