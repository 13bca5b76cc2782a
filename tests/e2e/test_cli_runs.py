"""``tradebot backtest list | show | compare`` read past runs back from the database."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.e2e.cli import run_tradebot


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "runs.db", cwd=cwd, timeout=120)


def test_runs_are_listed_shown_and_compared(tmp_path: Path) -> None:
    for args in (["--symbols", "AAPL"], ["--symbols", "MSFT", "--strategy", "sma_cross"]):
        done = _tradebot("backtest", *args, "--start", "2019-01-01", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{tmp_path}/runs.db")
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("select id from backtest_runs order by id"))]
        config = conn.execute(text("select config from backtest_runs limit 1")).scalar_one()
    assert len(ids) == 2
    assert '"git_revision"' in config

    listed = _tradebot("backtest", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert all(run_id in listed.stdout for run_id in ids)

    shown = _tradebot("backtest", "show", ids[0], cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "total_return" in shown.stdout and "closed trades" in shown.stdout

    compared = _tradebot("backtest", "compare", *ids, cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    assert "sma_cross" in compared.stdout and "sharpe" in compared.stdout

    missing = _tradebot("backtest", "show", "nope", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no run 'nope'" in missing.stderr


def test_lookahead_command_reports_a_clean_strategy(tmp_path: Path) -> None:
    done = _tradebot(
        "lookahead", "--strategy", "ema_cross", "--symbols", "AAPL", "--cuts", "4", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "no look-ahead found" in done.stdout
    bad = _tradebot("lookahead", "--strategy", "nope", cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown strategy 'nope'" in bad.stderr
