"""The risk engine from the command line: the backtest summary's skip reasons, ``tradebot
decisions`` (with ``--trace``), ``tradebot data import-earnings`` (bad rows counted, the
first named, nothing imported; good dates merged where the engine reads them) and
``tradebot paper --replay --resume RUN_ID``."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.cli import run_tradebot
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain import Mode
from tradebot.engine.topics import MARKET_BARS
from tradebot.runtime.wiring import RunRequest, build_kernel


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "risk.db", cwd=cwd, timeout=300)


def test_backtest_summary_counts_skips_and_decisions_explain_them(tmp_path: Path) -> None:
    done = _tradebot(
        "backtest", "--symbols", "AAPL,KO,XOM", "--start", "2019-01-01", "--end", "2019-12-31",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Skipped decisions, by reason" in done.stdout
    assert "direction" in done.stdout  # short signals with nothing to sell

    shown = _tradebot("decisions", "--symbol", "KO", "--last", "5", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "first failed check" in shown.stdout and "KO" in shown.stdout
    traced = _tradebot("decisions", "--symbol", "ko", "--last", "5", "--trace", cwd=tmp_path)
    assert traced.returncode == 0, traced.stderr
    assert "size effect" in traced.stdout and "direction" in traced.stdout

    none = _tradebot("decisions", "--symbol", "ZZZZ", cwd=tmp_path)
    assert none.returncode == 0 and "no decisions for ZZZZ" in none.stdout
    missing = _tradebot("decisions", "--run", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no run 'nope'" in missing.stderr


def test_import_earnings_refuses_bad_rows_and_imports_a_clean_file(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Symbol,Earnings_Date\nKO,2021-04-19\n,2021-04-20\nXOM,20210430\nJNJ,2021-13-01\n\n"
        "AB C,2021-04-21\n"
    )
    refused = _tradebot("data", "import-earnings", str(bad), cwd=tmp_path)
    assert refused.returncode == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: bad.csv: 4 of 5 rows are bad (first: bad.csv line 3")
    assert "nothing was imported" in line
    listed = _tradebot("data", "import-earnings", str(bad), "--list-errors", cwd=tmp_path)
    lines = listed.stderr.strip().splitlines()
    assert [row.split(":")[0] for row in lines[:4]] == [
        "bad.csv line 3",
        "bad.csv line 4",
        "bad.csv line 5",
        "bad.csv line 7",  # the blank line 6 is counted
    ]
    assert lines[-1].startswith("error: ") and len(lines) == 5

    good = tmp_path / "good.csv"
    good.write_text("symbol,earnings_date,notes\nKO,2031-04-19,q1\nko,2031-07-21,\n")
    done = _tradebot("data", "import-earnings", str(good), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "2 new" in done.stdout
    again = _tradebot("data", "import-earnings", str(good), cwd=tmp_path)
    assert "0 new, 2 already imported" in again.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'risk.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("select symbol, day from earnings_dates order by day")).all()
    assert [(s, str(d)) for s, d in rows] == [("KO", "2031-04-19"), ("KO", "2031-07-21")]


def test_a_stopped_paper_replay_is_resumed_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'risk.db'}"
    request = RunRequest(
        symbols=("AAPL", "KO"),
        start=datetime(2019, 1, 1, tzinfo=UTC),
        end=datetime(2019, 12, 31, tzinfo=UTC),
        data_dir=sample_data_dir("equities_daily"),
        strategies=("momentum", "macd"),
        mode=Mode.PAPER,
        speed=1e12,
    )
    with SqlStore(url) as store:
        kernel = build_kernel(load_settings(store={"url": url}), request, store)
        kernel._bus.subscribe(
            MARKET_BARS, lambda bar: kernel.stop() if bar.ts.month == 7 else None, stage="test"
        )
        assert kernel.run().status == "stopped"
        run_id = kernel.run_info.id
        stopped_at = len(store.decisions(run_id))

    clash = _tradebot("paper", "--replay", "--resume", run_id, "--symbols", "KO", cwd=tmp_path)
    assert clash.returncode == 2 and "drop --symbols" in clash.stderr
    done = _tradebot("paper", "--replay", "--resume", run_id, "--speed", "1e9", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Paper replay" in done.stdout and run_id in done.stdout
    with SqlStore(url) as store:
        record = store.run(run_id)
        assert record is not None and record.status == "completed"
        assert len(store.decisions(run_id)) > stopped_at
    again = _tradebot("paper", "--replay", "--resume", run_id, cwd=tmp_path)
    assert again.returncode == 2 and "nothing to resume" in again.stderr
