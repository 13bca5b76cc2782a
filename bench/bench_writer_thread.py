"""Why the store does not write from a thread beside the trading loop: the GIL convoy.

``sqlite3`` releases the GIL around each row's ``sqlite3_step`` and takes it back before
binding the next row. With the trading thread busy in Python, the writer waits for the
interpreter's switch interval (5 ms) to get it back, row after row. This times 40,000
inserts alone, then the same inserts from a thread while the main thread computes.

    .venv/bin/python bench/bench_writer_thread.py [--rows 40000]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

Row = tuple[str, str, float, str]


def _fresh(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("CREATE TABLE IF NOT EXISTS t (a TEXT PRIMARY KEY, b TEXT, c REAL, d TEXT)")
    connection.execute("DELETE FROM t")
    return connection


def _write(connection: sqlite3.Connection, rows: list[Row]) -> float:
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    return time.perf_counter() - started


def _compute(seconds: float) -> int:
    """Pure-Python work, as the kernel's between two flushes."""
    end, total = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        total += sum(range(50))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    args = parser.parse_args()
    rows = [(f"id-{i:08d}", "x" * 40, i * 0.5, "y" * 80) for i in range(args.rows)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "writer.db"
        alone = _write(_fresh(path), rows)
        connection = _fresh(path)
        timed: list[float] = []
        writer = threading.Thread(target=lambda: timed.append(_write(connection, rows)))
        writer.start()
        while writer.is_alive():
            _compute(0.05)
        connection.close()
    print(f"{args.rows:,} rows alone: {alone:.3f} s")
    print(f"the same from a thread while the main thread computes: {timed[0]:.3f} s")


if __name__ == "__main__":
    main()
