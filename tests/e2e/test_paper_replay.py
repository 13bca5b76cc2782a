"""Paper mode runs the same kernel: same decisions as a backtest, clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tradebot.config import load_settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.domain import Mode
from tradebot.engine.clock import PacedClock, SimClock
from tradebot.runtime.wiring import RunRequest, build_kernel
from tradebot.testing import MemoryStore


def _decisions(mode: Mode) -> list[tuple[object, ...]]:
    store = MemoryStore()
    request = RunRequest(
        symbols=("AAPL", "MSFT", "FB"),
        data_dir=sample_data_dir("stocknet"),
        news_file=sample_news_file(),
        mode=mode,
        speed=1e12,
    )
    kernel = build_kernel(load_settings(), request, store)
    assert isinstance(kernel.clock, PacedClock if mode is Mode.PAPER else SimClock)
    kernel.run()
    return sorted(
        (d.ts, d.symbol, d.action, d.side, d.quantity, d.reason) for d in store.decisions.values()
    )


def test_a_paper_replay_decides_exactly_like_the_backtest() -> None:
    backtest = _decisions(Mode.BACKTEST)
    assert backtest
    assert _decisions(Mode.PAPER) == backtest


def _poll(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``condition`` every 50 ms until it holds or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _run_recorded(db: Path) -> bool:
    """The replay recorded its run, so it is running, its Ctrl-C handler in place."""
    if not db.exists():
        return False
    try:
        with create_engine(f"sqlite:///{db}").connect() as conn:
            return bool(conn.execute(text("select count(*) from backtest_runs")).scalar())
    except OperationalError:  # the schema is still being created
        return False


def test_ctrl_c_stops_a_paper_replay_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "paper.db"
    env = {**os.environ, "TRADEBOT_STORE__URL": f"sqlite:///{db}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradebot",
            "paper",
            "--replay",
            "--speed",
            "200000",
            "--symbols",
            "AAPL,MSFT",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert _poll(lambda: _run_recorded(db), timeout_s=60), "the replay never started"
    assert proc.poll() is None, "the replay is paced, so it is still running"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Paper replay" in out
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        mode, status = conn.execute(text("select mode, status from backtest_runs")).one()
        (snapshots,) = conn.execute(text("select count(*) from portfolio_snapshots")).one()
    assert (mode, status) == ("paper", "stopped")
    assert snapshots > 0
