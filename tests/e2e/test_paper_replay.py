"""Paper mode runs the same kernel: same decisions as a backtest, clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not db.exists():
        time.sleep(0.1)
    time.sleep(2.0)
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
