"""``tradebot data import|list``, empty or impossible ranges and unusable news files, as a
user runs them: a refusal is one line on stderr with exit code 2, and writes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from tests.e2e.cli import run_tradebot
from tradebot.adapters.parquet import bar_file
from tradebot.adapters.parquet.layout import OhlcvArrays, write_ohlcv_files
from tradebot.domain import Timeframe

HEADER = "date,open,high,low,close,volume"


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "bot.db", cwd=cwd, timeout=120)


def _refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one error line of a refused command (asserting there is exactly one)."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def _csv(path: Path, days: range, bump: float = 0.0) -> Path:
    """Daily bars on consecutive calendar days of 2021 (``bump`` shifts every close)."""
    rows = [HEADER]
    for i in days:
        day = np.datetime64("2021-01-01") + i
        rows.append(f"{day},{100 + i},{101 + i},{99 + i},{100.5 + i + bump},{1000 + i}")
    path.write_text("\n".join(rows) + "\n")
    return path


def _import(cwd: Path, csv: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    args = ("data", "import", str(csv), "--data", "bars", "--symbol", "XYZ", "--calendar", "none")
    return _tradebot(*args, *flags, cwd=cwd)


def test_import_refuses_existing_bars_unless_told_to_append_or_replace(tmp_path: Path) -> None:
    assert _import(tmp_path, _csv(tmp_path / "all.csv", range(120))).returncode == 0
    stored = tmp_path / "bars" / "XYZ_1d.parquet"
    before = stored.read_bytes()

    line = _refused(_import(tmp_path, _csv(tmp_path / "short.csv", range(99))))
    assert "already holds 120 XYZ 1d bars, 2021-01-02 → 2021-05-01" in line
    assert "--append" in line and "--replace" in line
    assert stored.read_bytes() == before

    line = _refused(
        _import(tmp_path, _csv(tmp_path / "clash.csv", range(100, 130), 0.25), "--append")
    )
    assert "20 XYZ bars differ" in line and "first at 2021-04-12T00:00:00Z" in line
    assert stored.read_bytes() == before

    both = _refused(
        _import(tmp_path, _csv(tmp_path / "more.csv", range(100, 130)), "--append", "--replace")
    )
    assert "--replace or --append, not both" in both

    appended = _import(tmp_path, tmp_path / "more.csv", "--append")
    assert appended.returncode == 0, appended.stderr
    row = next(r for r in appended.stdout.splitlines() if "XYZ" in r)
    assert [c.strip() for c in row.strip("│ ").split("│")][:5] == ["XYZ", "30", "10", "20", "130"]

    replaced = _import(tmp_path, tmp_path / "short.csv", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    row = next(r for r in replaced.stdout.splitlines() if "XYZ" in r)
    # symbol, in file, replaced, kept: the 130 stored bars gave way to the file's 99
    assert [c.strip() for c in row.strip("│ ").split("│")][:4] == ["XYZ", "99", "130", "99"]


def test_data_list_shows_the_bundled_data_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    bundled = _tradebot("data", "list", cwd=tmp_path)
    assert bundled.returncode == 0, bundled.stderr
    aapl = next(r for r in bundled.stdout.splitlines() if "AAPL" in r)
    assert "2015-01-02" in aapl and "2021-04-21" in aapl and "1,586" in aapl
    assert sum("│ 1d" in r for r in bundled.stdout.splitlines()) == 11

    assert "does not exist" in _refused(_tradebot("data", "list", "--data", "nope", cwd=tmp_path))
    (tmp_path / "empty").mkdir()
    line = _refused(_tradebot("data", "list", "--data", "empty", cwd=tmp_path))
    assert "empty holds no bar files" in line


def test_impossible_and_empty_ranges_are_refused_with_the_datas_range(tmp_path: Path) -> None:
    backwards = _tradebot("backtest", "--start", "2020-06-15", "--end", "2020-06-01", cwd=tmp_path)
    assert "start 2020-06-15 is after end 2020-06-01" in _refused(backwards)
    future = _tradebot(
        "backtest",
        "--symbols",
        "AAPL",
        "--start",
        "2030-01-01",
        "--end",
        "2030-02-01",
        cwd=tmp_path,
    )
    assert (
        "no AAPL bars between 2030-01-01 and 2030-02-01: the data holds 2015-01-02 → 2021-04-21"
        in _refused(future)
    )
    assert not (tmp_path / "bot.db").exists() or _runs(tmp_path / "bot.db") == 0


def test_a_paper_replay_without_bars_is_refused(tmp_path: Path) -> None:
    empty = OhlcvArrays(*(np.empty(0, dtype=t) for t in (np.int64, *[np.float64] * 5)))
    write_ohlcv_files({bar_file(tmp_path / "bars", "XYZ", Timeframe.D1): empty})
    done = _tradebot("paper", "--replay", "--data", "bars", "--symbols", "XYZ", cwd=tmp_path)
    assert "no XYZ bars at all: the data holds no bars (empty file)" in _refused(done)


def test_news_with_a_time_key_is_read_and_a_file_with_none_usable_is_refused(
    tmp_path: Path,
) -> None:
    period = ("--symbols", "AAPL", "--start", "2020-06-01", "--end", "2020-06-30")
    good = tmp_path / "good.jsonl"
    good.write_text(
        '{"time": "2020-06-02T14:00:00Z", "title": "Apple beats estimates", "symbol": "AAPL"}\n'
        "not json\n"
        '{"time": "2020-06-03T14:00:00Z", "headline": "Apple shares plunge"}\n'
    )
    done = _tradebot("backtest", *period, "--news", str(good), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "line 2: not valid JSON" in done.stderr  # the one warning that sums up the skips
    with create_engine(f"sqlite:///{tmp_path / 'bot.db'}").connect() as db:
        assert db.execute(text("SELECT count(*) FROM articles")).scalar_one() == 2

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"when": "2020-06-02", "title": "a"}\nnot json\n')
    line = _refused(_tradebot("backtest", *period, "--news", str(bad), cwd=tmp_path))
    assert "no usable news item (2 skipped; first: line 1: no time" in line


def _runs(db: Path) -> int:
    with create_engine(f"sqlite:///{db}").connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM backtest_runs")).scalar_one())
