"""How much of a persisted backtest is SQLite's own work: the floor under ``tradebot+sqlite``.

For the peers' standard cases this runs each symbol through the kernel twice — keeping
nothing (``store.url: none``) and writing every record to SQLite, as ``bench/peers.py``
does — and records the parameters the bulk writer hands to SQLite. It then replays exactly
those parameters into a copy of the same database, emptied, with raw ``sqlite3``
``executemany`` (foreign keys on, the same pragmas, one transaction as the store's flush):
that is the time SQLite itself needs for the rows, with no Python work of ours around it.

    .venv/bin/python bench/bench_sqlite_floor.py [--cases daily,minute] [--bpy-daily 33661]

With backtesting.py's bars/s of the same run (``--bpy-*``; default: its result file from
the last ``bench/peers.py`` run, if any) it prints the budget the "≥ 2× backtesting.py"
target leaves for persistence — ``bars / (2 × bpy) − kernel in memory`` — beside SQLite's
own time: when SQLite alone needs more than the budget, no work on our side of the
driver can reach the target while the writes run on the trading thread.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import peers  # noqa: E402
from bench_throughput import prepare  # noqa: E402

from tradebot.adapters.parquet.layout import available_symbols  # noqa: E402
from tradebot.adapters.sql import writer as writer_module  # noqa: E402
from tradebot.ops.logging import configure_logging  # noqa: E402

_RECORD_TABLES = (  # children first: emptied in this order with foreign keys off
    "closed_trades",
    "fills",
    "orders",
    "trading_decisions",
    "signals",
    "portfolio_snapshots",
    "positions",
    "risk_states",
)

Batch = tuple[str, list[Any]]
_ORIGINAL = writer_module._Bulk.column_params


def _capture() -> list[Batch]:
    """Record every statement and parameter list the bulk writer executes from now on."""
    batches: list[Batch] = []

    def column_params(self: writer_module._Bulk, columns: list[Sequence[Any]]) -> list[Any]:
        params = _ORIGINAL(self, columns)
        batches.append((self.sql, params))
        return params

    writer_module._Bulk.column_params = column_params  # type: ignore[method-assign]
    return batches


def _sqlite_seconds(database: Path, batches: list[Batch], work: Path) -> float:
    """Replay ``batches`` into an emptied copy of ``database``: executemany + commit."""
    copy = work / "replay.db"
    shutil.copy(database, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        for table in _RECORD_TABLES:
            connection.execute(f"DELETE FROM {table}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        connection.execute("BEGIN")
        for sql, params in batches:
            connection.executemany(sql, params)
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def run_case(case: str, data_dir: Path) -> dict[str, float]:
    timeframe, fee = peers.CASES[case]
    in_memory = with_sqlite = floor = 0.0
    bars = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for symbol in available_symbols(data_dir, timeframe):
            result, _, seconds = peers._one(symbol, data_dir, timeframe, fee, tmp, False)
            in_memory += seconds
            bars += result.counts["bars"]
            _, _, seconds = peers._one(symbol, data_dir, timeframe, fee, tmp, True)
            with_sqlite += seconds
            # once more to capture the parameters (not timed: holding them all slows it)
            batches = _capture()
            try:
                peers._one(symbol, data_dir, timeframe, fee, tmp, True)
            finally:
                writer_module._Bulk.column_params = _ORIGINAL  # type: ignore[method-assign]
            floor += _sqlite_seconds(work / f"{symbol}.db", batches, work)
    return {"bars": bars, "memory": in_memory, "sqlite": with_sqlite, "floor": floor}


def _bpy(case: str, given: float | None, results: Path) -> float | None:
    if given is not None:
        return given
    found = results / f"backtesting.py_{case}.json"
    if not found.exists():
        return None
    return float(json.loads(found.read_text())["bars_per_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--work", type=Path, default=HERE / ".peer-bench")
    parser.add_argument("--cases", default="daily,minute")
    parser.add_argument("--bpy-daily", type=float, default=None)
    parser.add_argument("--bpy-minute", type=float, default=None)
    args = parser.parse_args()
    configure_logging("WARNING", json_output=True)
    data_dir = prepare(args.shared.resolve(), args.work.resolve())
    table = Table(title="SQLite's own share of a persisted backtest (seconds)")
    for column in (
        "case",
        "bars",
        "kernel, in memory",
        "kernel + SQLite",
        "SQLite alone",
        "our side",
        "budget for 2× bpy",
    ):
        table.add_column(column, justify="right")
    for case in args.cases.split(","):
        row = run_case(case, data_dir)
        bpy = _bpy(case, getattr(args, f"bpy_{case}"), args.work.resolve() / "results")
        budget = "n/a" if bpy is None else f"{row['bars'] / (2 * bpy) - row['memory']:.3f}"
        ours = row["sqlite"] - row["memory"] - row["floor"]
        table.add_row(
            case,
            f"{row['bars']:,.0f}",
            f"{row['memory']:.3f}",
            f"{row['sqlite']:.3f}",
            f"{row['floor']:.3f}",
            f"{ours:.3f}",
            budget,
        )
        print(json.dumps({"case": case, **row, "bpy_bars_per_s": bpy}), flush=True)
    Console().print(table)


if __name__ == "__main__":
    main()
