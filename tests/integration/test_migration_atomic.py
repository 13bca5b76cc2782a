"""The first migration of a new SQLite file is all or nothing, and one at a time.

A process killed with SIGKILL at any statement of the first migration (or at its commit)
leaves either nothing or the whole schema; the next command migrates and a backtest runs.
Processes released together on one new file all succeed, and the schema is created once.
Before migrations ran in one ``BEGIN IMMEDIATE`` transaction, both broke the file for good
("table backtest_runs already exists").
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tradebot.adapters.sql import migrate
from tradebot.adapters.sql.models import Base
from tradebot.adapters.sql.store import SqlStore

APP_TABLES = set(Base.metadata.tables)
BACKTEST = (sys.executable, "-m", "tradebot", "backtest", "--symbols", "AAPL")

# Runs in a child process: opens a store on a new file (the first migration, as every command
# does) and, when told to, stops dead at the Nth SQL statement or at the migration's commit,
# saying so in a marker file, until the test kills it. Without a stop it prints how many
# statements the first migration took.
PROBE = """
import sys, threading
from pathlib import Path
from sqlalchemy import Engine, event

url, marker, stop_at = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
seen = {"statements": 0, "created": False}

def pause(where):
    marker.write_text(where)
    threading.Event().wait()  # SIGKILL arrives while we wait here

@event.listens_for(Engine, "before_cursor_execute")
def count(conn, cursor, statement, parameters, context, executemany):
    seen["statements"] += 1
    seen["created"] = seen["created"] or statement.lstrip().upper().startswith("CREATE")
    if stop_at.isdigit() and seen["statements"] == int(stop_at):
        pause(statement)

@event.listens_for(Engine, "commit")
def commit(conn):
    if stop_at == "commit" and seen["created"]:
        pause("COMMIT")

from tradebot.adapters.sql.store import SqlStore
SqlStore(url).close()
print(seen["statements"])
"""

# Runs in a child process: waits for the barrier file, then opens a store on the shared new
# file and records a run of its own.
RACER = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain import Mode
from tradebot.domain.enums import Timeframe
from tradebot.domain.run import RunInfo

url, ready, barrier, name = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
ready.write_text("ready")
while not barrier.exists():
    time.sleep(0.001)
now = datetime.now(UTC)
with SqlStore(url) as store:
    store.start_run(RunInfo(id=name, mode=Mode.BACKTEST, started_at=now, strategy="x",
                            symbols=("AAPL",), timeframe=Timeframe.D1))
    store.finish_run(name, "completed", now, {})
"""


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _python(code: str, *args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _schema(path: Path) -> tuple[set[str], list[str]]:
    """The tradebot tables of the file and its version rows (read with plain sqlite3)."""
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        versions = []
        if "alembic_version" in names:
            versions = [r[0] for r in connection.execute("SELECT version_num FROM alembic_version")]
    return names & APP_TABLES, versions


def _kill_points(tmp_path: Path, count: int) -> list[str]:
    """``count`` statement numbers spread over the whole first migration, and its commit."""
    url = f"sqlite:///{tmp_path / 'count.db'}"
    probe = _python(PROBE, url, str(tmp_path / "count.marker"), "none", cwd=tmp_path)
    out, err = probe.communicate(timeout=120)
    assert probe.returncode == 0, err
    total = int(out.split()[-1])
    assert total > 50, "the first migration runs many statements"
    points = sorted({1 + (total - 1) * i // (count - 1) for i in range(count)})
    return [str(p) for p in points] + ["commit"]


def _kill_at(point: str, url: str, marker: Path, folder: Path) -> None:
    """Run the probe until it stops at ``point``, then SIGKILL it."""
    probe = _python(PROBE, url, str(marker), point, cwd=folder)
    try:
        _wait_until(lambda: marker.exists() or probe.poll() is not None, "the kill point")
        assert marker.exists(), f"never reached {point}: {probe.communicate()[1]}"
    finally:
        os.kill(probe.pid, signal.SIGKILL)
        probe.communicate()


@pytest.mark.slow
def test_a_first_migration_killed_anywhere_leaves_nothing_and_the_next_command_works(
    tmp_path: Path,
) -> None:
    for point in _kill_points(tmp_path, 10):
        folder = tmp_path / f"kill-{point}"
        folder.mkdir()
        path, marker = folder / "tradebot.db", folder / "stopped"
        url = f"sqlite:///{path}"
        _kill_at(point, url, marker, folder)

        tables, versions = _schema(path)
        assert (tables, versions) in ((set(), []), (APP_TABLES, [migrate.head()])), point

        SqlStore(url).close()  # what every command does first
        assert _schema(path) == (APP_TABLES, [migrate.head()])
        backtest = subprocess.run(
            [*BACKTEST, "--start", "2020-01-01", "--end", "2020-03-31"],
            cwd=folder,
            env=os.environ | {"TRADEBOT_STORE__URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert backtest.returncode == 0, f"after a kill at {point}: {backtest.stderr}"
        with SqlStore(url, auto_migrate=False) as store:
            assert [run.status for run in store.runs()] == ["completed"]


@pytest.mark.parametrize("round_", range(3))
def test_processes_starting_together_on_a_new_file_all_succeed(tmp_path: Path, round_: int) -> None:
    path, barrier = tmp_path / "db" / "tradebot.db", tmp_path / "go"
    url = f"sqlite:///{path}"
    names = [f"racer-{i}" for i in range(4)]
    racers = [
        _python(RACER, url, str(tmp_path / f"{name}.ready"), str(barrier), name, cwd=tmp_path)
        for name in names
    ]
    try:
        _wait_until(
            lambda: all(
                (tmp_path / f"{n}.ready").exists() or r.poll() is not None
                for n, r in zip(names, racers, strict=True)
            ),
            "every racer to be ready",
        )
        barrier.write_text("go")
        results = [racer.communicate(timeout=300) for racer in racers]
    finally:
        for racer in racers:
            if racer.poll() is None:
                racer.kill()
    assert [r.returncode for r in racers] == [0] * len(racers), [err for _, err in results]
    assert _schema(path) == (APP_TABLES, [migrate.head()])
    with SqlStore(url, auto_migrate=False) as store:
        assert sorted(run.info.id for run in store.runs()) == names
