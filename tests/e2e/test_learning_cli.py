"""``tradebot strategies weights [--history]`` and ``strategies reset-weights`` after a
backtest with the learning engine on (``learning.enabled``, here from the environment)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.cli import run_tradebot


def _tradebot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_tradebot(*args, db=cwd / "runs.db", cwd=cwd, timeout=240)


def test_a_learning_backtest_shows_its_adjustments_and_a_reset_restores_equal_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRADEBOT_LEARNING__MIN_TRADES", "2")
    monkeypatch.setenv("TRADEBOT_RISK__ENGINE", "reference")
    strategies = "momentum,macd,mean_reversion"
    done = _tradebot(
        "backtest", "--symbols", "AAPL,MSFT", "--strategies", strategies,
        "--start", "2019-01-01", "--end", "2020-12-31", "--learning", "on",
        "--report", str(tmp_path / "report.html"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "final weights" in done.stdout and "learning: ema" in done.stdout
    assert 'id="chart-weights"' in (tmp_path / "report.html").read_text()

    weights = _tradebot("strategies", "weights", cwd=tmp_path)
    assert weights.returncode == 0, weights.stderr
    for name in strategies.split(","):
        assert name in weights.stdout
    assert "0.3333" in weights.stdout  # a backtest keeps its learned weights to its run

    history = _tradebot("strategies", "weights", "--history", cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    assert "ema" in history.stdout and "bt-" in history.stdout

    reset = _tradebot("strategies", "reset-weights", cwd=tmp_path)
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.count("0.3333") == 3
    after = _tradebot("strategies", "weights", "--history", "--strategy", "macd", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert "(reset)" in after.stdout and "reset" in after.stdout


def test_reset_weights_on_an_empty_database_is_one_line(tmp_path: Path) -> None:
    done = _tradebot("strategies", "reset-weights", cwd=tmp_path)
    assert done.returncode == 2
    assert "no strategies known yet" in done.stderr
    assert "Traceback" not in done.stderr
