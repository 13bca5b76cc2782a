"""A digest of everything a run stored, byte for byte: the guard of every speed-up.

A change that makes the kernel faster must not change one decision, order, fill, trace or
snapshot. :func:`record_digest` reads each table of a run's records as the database holds
them (raw text: JSON traces as serialised, Decimals and times as written; no ORM type
processing that could hide a difference), in primary-key order, and hashes them. A test
compares the digest of a fixed run against a recorded value; a speed-up that changes it
is a behaviour change, not an optimisation.

What is left out is what legitimately differs between two runs of the same input: the
run's wall-clock start and finish, its lease, and metrics measured in seconds of wall time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, text

__all__ = ["RECORD_TABLES", "record_counts", "record_digest", "table_digests"]

RECORD_TABLES: dict[str, str] = {
    "signals": "id",
    "trading_decisions": "id",
    "orders": "client_order_id",
    "fills": "fill_id",
    "closed_trades": "id",
    "portfolio_snapshots": "ts",
    "positions": "symbol",
    "risk_events": "id",
    "risk_states": "run_id",
    "trade_outcomes": "trade_id",
    "weight_adjustments": "id",
    "strategy_weight_history": "id",
}
"""Each table a run writes, with the column its rows are ordered by."""

_LEFT_OUT = {
    # autoincrement ids: they order the rows (insertion order) but depend on what else the
    # database holds
    "weight_adjustments": frozenset({"id"}),
    "strategy_weight_history": frozenset({"id"}),
    # when the row was written, by the wall clock
    "orders": frozenset({"updated_at"}),
    "risk_states": frozenset({"saved_at"}),
    # the run's inputs (settings with paths, the code revision) and its wall-clock times
    "backtest_runs": frozenset({"config", "started_at", "finished_at", "owner", "heartbeat_at"}),
}
_WALL_CLOCK_METRICS = frozenset({"wall_seconds", "elapsed_s", "bars_per_second"})


def _engine(database: str | Engine) -> Engine:
    return create_engine(database) if isinstance(database, str) else database


def _columns(engine: Engine, table: str) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys())


def _where(columns: list[str]) -> str:
    return "WHERE run_id = :run_id" if "run_id" in columns else ""


def _rows(engine: Engine, table: str, order_by: str, run_id: str) -> Iterator[tuple[object, ...]]:
    every = _columns(engine, table)
    columns = [c for c in every if c not in _LEFT_OUT.get(table, ())]
    query = text(f"SELECT {', '.join(columns)} FROM {table} {_where(every)} ORDER BY {order_by}")
    yield tuple(columns)
    with engine.connect() as connection:
        yield from (tuple(row) for row in connection.execute(query, {"run_id": run_id}))


def table_digests(database: str | Engine, run_id: str) -> dict[str, str]:
    """SHA-256 of each table's records of ``run_id`` (and of the run's own row, under
    ``backtest_runs``): when :func:`record_digest` changes, these say where."""
    engine = _engine(database)
    digests: dict[str, str] = {}
    for table, order_by in RECORD_TABLES.items():
        digest = hashlib.sha256()
        for row in _rows(engine, table, order_by, run_id):
            digest.update(repr(row).encode())
            digest.update(b"\n")
        digests[table] = digest.hexdigest()
    digests["backtest_runs"] = hashlib.sha256(repr(_run_row(engine, run_id)).encode()).hexdigest()
    return digests


def record_digest(database: str | Engine, run_id: str) -> str:
    """SHA-256 over every record ``run_id`` stored, in a fixed order, as stored."""
    tables = table_digests(database, run_id)
    return hashlib.sha256(repr(sorted(tables.items())).encode()).hexdigest()


def record_counts(database: str | Engine, run_id: str) -> dict[str, int]:
    """How many records of ``run_id`` each table holds (to say what a digest covers)."""
    engine = _engine(database)
    counts: dict[str, int] = {}
    for table in RECORD_TABLES:
        where = _where(_columns(engine, table))
        with engine.connect() as connection:
            query = text(f"SELECT COUNT(*) FROM {table} {where}")
            counts[table] = int(connection.execute(query, {"run_id": run_id}).scalar_one())
    return counts


def _run_row(engine: Engine, run_id: str) -> tuple[object, ...]:
    left_out = _LEFT_OUT["backtest_runs"]
    columns = [c for c in _columns(engine, "backtest_runs") if c not in left_out]
    query = text(f"SELECT {', '.join(columns)} FROM backtest_runs WHERE id = :run_id")
    with engine.connect() as connection:
        row = connection.execute(query, {"run_id": run_id}).one()
    values = dict(zip(columns, row, strict=True))
    metrics = values.get("metrics")
    if isinstance(metrics, str):  # drop what measures the machine, not the run
        parsed = json.loads(metrics)
        if isinstance(parsed, dict):
            kept = {k: v for k, v in parsed.items() if k not in _WALL_CLOCK_METRICS}
            values["metrics"] = json.dumps(kept, sort_keys=True)
    return tuple(values.items())
