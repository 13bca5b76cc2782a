"""``tradebot db`` and ``tradebot data import`` as a user runs them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.e2e.cli import run_tradebot


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "default.db", cwd=cwd, timeout=120)


def test_db_upgrade_current_and_downgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/nested/dir/bot.db"
    up = _tradebot("db", "upgrade", "--url", url, cwd=tmp_path)
    assert up.returncode == 0, up.stderr
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {
        "trading_decisions",
        "orders",
        "fills",
        "positions",
        "closed_trades",
        "portfolio_snapshots",
        "articles",
        "article_sentiments",
        "signals",
        "strategies",
        "strategy_weight_history",
        "backtest_runs",
    } <= tables
    current = _tradebot("db", "current", "--url", url, cwd=tmp_path)
    assert current.returncode == 0
    assert current.stdout.strip() and "base" not in current.stdout
    refused = _tradebot("db", "downgrade", "base", "--url", url, cwd=tmp_path)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "trading_decisions" in set(inspect(create_engine(url)).get_table_names())
    back = _tradebot("db", "downgrade", "previous", "--yes", "--url", url, cwd=tmp_path)
    assert back.returncode == 0, back.stderr
    before = _tradebot("db", "current", "--url", url, cwd=tmp_path).stdout.strip()
    assert before and before != current.stdout.strip()
    down = _tradebot("db", "downgrade", "base", "--yes", "--url", url, cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert set(inspect(create_engine(url)).get_table_names()) <= {"alembic_version"}


def test_db_upgrade_on_the_default_url_uses_the_settings(tmp_path: Path) -> None:
    done = _tradebot("db", "upgrade", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "default.db").exists()


def test_data_import_then_backtest_on_the_imported_bars(tmp_path: Path) -> None:
    csv = tmp_path / "xyz.csv"
    rows = ["date,open,high,low,close,volume"]
    for i in range(120):
        day = f"2021-{1 + i // 28:02d}-{1 + i % 28:02d}"
        price = 100 + 10 * ((i // 15) % 2) + (i % 15) * 0.5
        rows.append(f"{day},{price},{price + 1},{price - 1},{price + 0.2},1000")
    csv.write_text("\n".join(rows) + "\n")
    done = _tradebot(
        "data",
        "import",
        str(csv),
        "--data",
        "bars",
        "--symbol",
        "XYZ",
        "--calendar",
        "none",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "bars" / "XYZ_1d.parquet").exists()
    run = _tradebot("backtest", "--symbols", "XYZ", "--data", "bars", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "120" in run.stdout


def test_a_bad_csv_is_one_line_naming_the_row_and_writes_nothing(tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "date,open,high,low,close,volume\n2021-01-04,10,11,9,10,5\n2021-01-05,10,9,11,10,5\n"
    )
    done = _tradebot("data", "import", str(csv), "--data", "bars", "--symbol", "BAD", cwd=tmp_path)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "bad.csv" in lines[0] and "3" in lines[0] and "high" in lines[0]
    assert not (tmp_path / "bars" / "BAD_1d.parquet").exists()

    missing = tmp_path / "missing.csv"
    missing.write_text("date,open,close\n2021-01-04,1,1\n")
    done = _tradebot(
        "data", "import", str(missing), "--data", "bars", "--symbol", "M", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "high" in done.stderr and "Traceback" not in done.stderr
