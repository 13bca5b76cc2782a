"""Kill-switch latency: trigger → no order open and nothing new going out, seen in the store.

A real ``tradebot paper --replay`` runs in its own process on a fresh SQLite file (the
default autonomous risk engine, five of the StockNet stocks with their tweets), as a user
starts it. Each trial waits until the store shows at least one open order, then does what
``tradebot kill`` does — writes the kill command's row and sends the replay's process
SIGUSR1 — and polls the store from this process (its own connection, every 2 ms) until the
command is recorded as applied *and* no order is open any more. That interval is the
latency. The trial then checks that no order open before the trigger is still open (the
kill cancelled it, or the venue filled it before the kill arrived) and, while the replay
goes on halted for two more bar times, that nothing was sent (an order decided meanwhile
is recorded as rejected, "not sent"); a ``resume`` command lifts the halt and the replay
trades until orders are open for the next trial. A replay that reaches the end of its data
is replaced by a fresh one.

Measured from the row write, not from a shell: the ``tradebot kill`` command adds its own
interpreter start-up (about a second on this machine, reported once with ``--cli``).

    .venv/bin/python bench/bench_kill.py --trials 50 [--speed 200000] [--cli] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import create_engine, text

from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.commands import CommandKind, CommandStatus, OperatorCommand

SYMBOLS = "AAPL,MSFT,GOOG,AMZN,FB"
OPEN = ("new", "submitted", "accepted", "partially_filled", "pending_cancel", "unknown")
_OPEN_SQL = "select client_order_id from orders where status in ({})".format(
    ", ".join(f"'{s}'" for s in OPEN)
)
POLL_S = 0.002


def _now() -> datetime:
    return datetime.now(UTC)


class Replay:
    """One ``tradebot paper --replay`` process and a read connection to its store."""

    def __init__(self, folder: Path, speed: str, index: int) -> None:
        self.db = folder / f"paper-{index}.db"
        self.url = f"sqlite:///{self.db}"
        env = {**os.environ, "TRADEBOT_STORE__URL": self.url, "TRADEBOT_LOG__LEVEL": "WARNING"}
        args = ["paper", "--replay", "--speed", speed, "--symbols", SYMBOLS]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tradebot", *args],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.engine = create_engine(self.url)
        self.store: SqlStore | None = None
        self.run_id = ""

    def running(self) -> bool:
        return self.process.poll() is None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            with self.engine.connect() as conn:
                return [tuple(r) for r in conn.execute(text(sql))]
        except Exception:  # being created or migrated: nothing to read yet
            return []

    def open_orders(self) -> set[str]:
        return {str(r[0]) for r in self.rows(_OPEN_SQL)}

    def snapshots(self) -> int:
        rows = self.rows("select count(*) from portfolio_snapshots")
        return int(rows[0][0]) if rows else 0

    def orders(self) -> dict[str, tuple[str, str]]:
        rows = self.rows("select client_order_id, status, reason from orders")
        return {str(c): (str(s), str(r)) for c, s, r in rows}

    def settled_orders(self, known: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        """The orders, once none made since ``known`` is still being recorded (an order
        refused under a halt is written new, then rejected: two commits)."""
        deadline = time.perf_counter() + 5
        while True:
            orders = self.orders()
            fresh = [c for c, (s, _) in orders.items() if c not in known and s == "new"]
            if not fresh or time.perf_counter() > deadline:
                return orders
            time.sleep(0.01)

    def wait_for_open_orders(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.running():
            if self.open_orders():
                if self.store is None:
                    self.store = SqlStore(self.url)
                    self.run_id = str(self.rows("select id from backtest_runs")[0][0])
                return True
            time.sleep(0.01)
        return False

    def command(self, kind: CommandKind) -> OperatorCommand:
        """Write a command's row and wake the replay, as ``tradebot kill`` does."""
        assert self.store is not None
        command = OperatorCommand(
            id=f"cmd-{secrets.token_hex(8)}",
            kind=kind,
            ts=_now(),
            source="bench",
            run_id=self.run_id,
        )
        self.store.post_command(command)
        os.kill(self.process.pid, signal.SIGUSR1)
        return command

    def status(self, command_id: str) -> str:
        rows = self.rows(f"select status from operator_commands where id = '{command_id}'")
        return str(rows[0][0]) if rows else ""

    def stop(self) -> None:
        if self.running():
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)
        if self.store is not None:
            self.store.close()
        self.engine.dispose()


def _require(condition: bool, failure: str) -> None:
    if not condition:
        raise RuntimeError(failure)


def _trial(replay: Replay) -> dict[str, Any]:
    """One kill, timed until the store shows it applied and nothing open, then a resume."""
    before = replay.orders()
    started = time.perf_counter()
    kill = replay.command(CommandKind.KILL)
    applied_s = None
    while True:
        if applied_s is None and replay.status(kill.id) == CommandStatus.APPLIED.value:
            applied_s = time.perf_counter() - started
        if applied_s is not None and not replay.open_orders():
            done_s = time.perf_counter() - started
            break
        if time.perf_counter() - started > 30:
            raise RuntimeError(f"kill {kill.id} not applied within 30 s")
        time.sleep(POLL_S)
    at_kill = replay.orders()
    cancelled = [c for c, (s, r) in at_kill.items() if s == "cancelled" and kill.id in r]
    found_open = [c for c, (s, _) in before.items() if s in OPEN]
    _require(not [c for c in found_open if at_kill[c][0] in OPEN], "an order stayed open")
    halted_until = replay.snapshots() + 2  # let the replay go on for two bar times, halted
    deadline = time.perf_counter() + 30
    while replay.snapshots() < halted_until and time.perf_counter() < deadline:
        time.sleep(0.01)
    for coid, (status, reason) in replay.settled_orders(at_kill).items():  # not sent
        if coid not in at_kill:
            sent = status != "rejected" or not reason.startswith("not sent")
            _require(not sent, f"{coid} went out while halted ({status}: {reason})")
        else:
            _require(status == at_kill[coid][0], f"{coid} changed while halted ({status})")
    resume = replay.command(CommandKind.RESUME)
    deadline = time.perf_counter() + 30
    while replay.status(resume.id) != CommandStatus.APPLIED.value:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"resume {resume.id} not applied within 30 s")
        time.sleep(POLL_S)
    return {
        "latency_s": done_s,
        "applied_s": applied_s,
        "open_before": len(found_open),
        "cancelled": len(cancelled),
    }


def _cli_once(replay: Replay) -> float:
    """Wall time of one ``tradebot kill`` process, start to exit (interpreter included)."""
    env = {**os.environ, "TRADEBOT_STORE__URL": replay.url}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tradebot", "kill", "--run", replay.run_id],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--speed", default="200000")
    parser.add_argument("--cli", action="store_true", help="also time one `tradebot kill`")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    results: list[dict[str, Any]] = []
    replays = 0
    with tempfile.TemporaryDirectory() as folder:
        replay = Replay(Path(folder), args.speed, replays)
        try:
            while len(results) < args.trials:
                if not replay.wait_for_open_orders(timeout_s=120):
                    replay.stop()
                    replays += 1
                    replay = Replay(Path(folder), args.speed, replays)
                    continue
                results.append(_trial(replay))
                print(
                    f"trial {len(results):2d}: {results[-1]['latency_s'] * 1000:7.1f} ms "
                    f"({results[-1]['cancelled']} cancelled)",
                    flush=True,
                )
            cli_s = None
            if args.cli and replay.wait_for_open_orders(timeout_s=120):
                cli_s = _cli_once(replay)
        finally:
            replay.stop()
    latency = np.array([r["latency_s"] for r in results]) * 1000
    applied = np.array([r["applied_s"] for r in results]) * 1000
    summary = {
        "trials": len(results),
        "replays": replays + 1,
        "orders_cancelled": int(sum(r["cancelled"] for r in results)),
        "latency_ms": {
            "p50": float(np.percentile(latency, 50)),
            "p95": float(np.percentile(latency, 95)),
            "max": float(latency.max()),
        },
        "applied_ms_p50": float(np.percentile(applied, 50)),
        "cli_kill_s": cli_s,
    }
    print(json.dumps(summary, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps({"summary": summary, "trials": results}, indent=2))


if __name__ == "__main__":
    main()
