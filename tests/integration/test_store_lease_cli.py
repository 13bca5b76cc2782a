"""Two ``tradebot paper --replay --resume RUN_ID`` of one run, started together: one drives
the run, the other is refused with one line and exit code 2 while the first goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tradebot.adapters.sql.lease import Owner
from tradebot.adapters.sql.models import RunRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain import Bar, Mode
from tradebot.engine.topics import MARKET_BARS
from tradebot.runtime.wiring import RunRequest, build_kernel

REQUEST = RunRequest(
    symbols=("AAPL",),
    start=datetime(2020, 1, 1, tzinfo=UTC),
    end=datetime(2020, 12, 31, tzinfo=UTC),
    strategies=("momentum",),
    data_dir=sample_data_dir("equities_daily"),
    mode=Mode.PAPER,
    speed=1e12,
)


def _stopped_run(url: str, at_bar: int = 40) -> str:
    """A paper replay stopped cleanly at bar ``at_bar``: a run to resume."""
    with SqlStore(url) as store:
        kernel = build_kernel(load_settings(), REQUEST, store)
        seen = [0]

        def count(bar: Bar) -> None:
            seen[0] += 1
            if seen[0] == at_bar:
                kernel.stop()

        kernel._bus.subscribe(MARKET_BARS, count, stage="test")
        assert kernel.run().status == "stopped"
        return kernel.run_info.id


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_second_resume_of_a_run_is_refused_with_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tradebot.db'}"
    run_id = _stopped_run(url)
    # One bar a second from here on: the run outlasts the second process by far.
    command = [sys.executable, "-m", "tradebot", "paper", "--replay", "--resume", run_id]
    env = os.environ | {"TRADEBOT_STORE__URL": url, "COLUMNS": "200"}
    drivers = [
        subprocess.Popen(
            [*command, "--speed", "86400"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        _wait_until(lambda: any(d.poll() is not None for d in drivers), "one driver to end")
        loser = next(d for d in drivers if d.poll() is not None)
        winner = next(d for d in drivers if d is not loser)
        _, err = loser.communicate()
        assert loser.returncode == 2, err
        assert "Traceback" not in err
        lines = [line for line in err.splitlines() if line.strip()]
        errors = [line for line in lines if not line.startswith("paper replay ×")]  # progress
        assert len(errors) == 1, lines
        assert f"run {run_id} is being driven by another process (pid {winner.pid} on " in errors[0]
        assert "stop that process or wait for it to finish" in errors[0]

        assert winner.poll() is None, "the first driver goes on"

        def driven_by_winner() -> bool:
            """The winner holds the run from its claim on, and marks it running once its
            kernel starts (a moment later on a loaded machine)."""
            with SqlStore(url, auto_migrate=False) as store, store.session() as session:
                row = session.get(RunRow, run_id)
                assert row is not None
                owner = Owner.parse(row.owner or "")
                assert owner is not None and owner.pid == winner.pid
                return row.status == "running"

        _wait_until(driven_by_winner, "the winner to start driving the run")
        winner.send_signal(signal.SIGTERM)  # stops cleanly, letting the run go
        _, err = winner.communicate(timeout=120)
        assert winner.returncode == 0, err
    finally:
        for driver in drivers:
            if driver.poll() is None:
                driver.kill()
                driver.communicate()
    with SqlStore(url, auto_migrate=False) as store:
        record = store.run(run_id)
        assert record is not None and record.status == "stopped"
        with store.session() as session:
            row = session.get(RunRow, run_id)
            assert row is not None and row.owner is None
