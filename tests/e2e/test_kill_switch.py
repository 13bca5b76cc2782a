"""``tradebot kill`` from another shell stops a running paper replay from trading: no order
goes out after the kill was applied, every order open then is cancelled, and the replay
still stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.e2e.cli import run_tradebot

OPEN = ("new", "submitted", "accepted", "partially_filled", "pending_cancel", "unknown")
SPEED = "200000"
"""A daily bar every 0.4 s of real time: orders are open most of the time."""


def _poll(condition: Callable[[], bool], timeout_s: float) -> bool:
    """Poll ``condition`` every 50 ms until it holds or ``timeout_s`` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    try:
        with create_engine(f"sqlite:///{db}").connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    except OperationalError:  # not created yet, or being migrated
        return []


def _open_orders(db: Path) -> list[tuple[object, ...]]:
    marks = ", ".join(f"'{s}'" for s in OPEN)
    return _query(db, f"select client_order_id from orders where status in ({marks})")


def _orders(db: Path) -> dict[str, tuple[str, str]]:
    rows = _query(db, "select client_order_id, status, reason from orders")
    return {str(c): (str(s), str(r)) for c, s, r in rows}


def _snapshots(db: Path) -> int:
    rows = _query(db, "select count(*) from portfolio_snapshots")
    return int(str(rows[0][0])) if rows else 0


def test_kill_cancels_open_orders_and_nothing_goes_out_after_it(tmp_path: Path) -> None:
    db = tmp_path / "paper.db"
    env = {**os.environ, "TRADEBOT_STORE__URL": f"sqlite:///{db}"}
    symbols = "AAPL,MSFT,GOOG,AMZN,FB"
    replay = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tradebot",
            "paper",
            "--replay",
            "--speed",
            SPEED,
            "--symbols",
            symbols,
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _poll(lambda: bool(_open_orders(db)), timeout_s=120), "no order was ever open"
        assert replay.poll() is None, "the replay is paced, so it is still running"

        killed = run_tradebot("kill", db=db, cwd=tmp_path, timeout=60)
        assert killed.returncode == 0, killed.stderr
        assert "kill applied to run paper-" in killed.stdout

        ((command_id, status, outcome),) = _query(
            db, "select id, status, outcome from operator_commands"
        )
        assert status == "applied" and "halted" in outcome
        at_kill = _orders(db)
        assert not _open_orders(db), "every open order was cancelled when the kill was applied"
        cancelled = [c for c, (s, r) in at_kill.items() if s == "cancelled" and command_id in r]
        assert cancelled, "the kill found open orders to cancel"
        assert f"{len(cancelled)} open order(s) cancelled" in outcome

        later = _snapshots(db) + 5
        assert _poll(lambda: _snapshots(db) >= later, timeout_s=60), "the replay went on"

        # an order refused under the halt is written new, then rejected: let it settle
        def settled() -> bool:
            return not [c for c, (st, _) in _orders(db).items() if c not in at_kill and st == "new"]

        assert _poll(settled, timeout_s=10)
        after = _orders(db)
        for coid, (status_, reason) in after.items():
            if coid in at_kill:
                assert status_ == at_kill[coid][0], f"{coid} changed after the kill"
            else:  # decided after the kill: recorded, never sent
                assert status_ == "rejected" and reason.startswith("not sent"), (coid, reason)
        assert replay.poll() is None
    finally:
        if replay.poll() is None:
            replay.send_signal(signal.SIGTERM)
        out, err = replay.communicate(timeout=60)
    assert replay.returncode == 0, err
    assert "Paper replay" in out
    ((run_status,),) = _query(db, "select status from backtest_runs")
    assert run_status == "stopped"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("pause",),
            "error: no paper or live run is running — start one with `tradebot paper "
            "--replay`, or name one with --run RUN_ID",
        ),
        (
            ("kill", "--flatten", "--run", "paper-nope"),
            "error: no run 'paper-nope' in the database — list the runs with `tradebot "
            "backtest list --mode paper`",
        ),
    ],
)
def test_a_command_with_no_run_to_take_it_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], line: str
) -> None:
    result = run_tradebot(*args, db=tmp_path / "empty.db", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [line]


def test_an_unknown_tier_is_a_usage_error(tmp_path: Path) -> None:
    result = run_tradebot("set-tier", "reckless", db=tmp_path / "t.db", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "reckless" in result.stderr.strip().splitlines()[-1]
