"""What older versions left behind is repaired, never at the cost of data; migrations keep
every row, children included.

An older tradebot killed during (or racing) its first migration on SQLite left some empty
tables and no schema version, after which every command failed. The next command now drops
those empty leftovers and migrates; leftovers that hold rows are refused with one line and
left as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from structlog.testing import capture_logs

from tradebot.adapters.sql import migrate
from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.models import Base, RunRow, SignalRow, StrategyRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.errors import StoreError

APP_TABLES = set(Base.metadata.tables)
T = "'2020-01-01 00:00:00+00:00'"
RUN = (
    "INSERT INTO backtest_runs (id, mode, status, strategy, symbols, timeframe, started_at, "
    f"config, metrics) VALUES ('r', 'backtest', 'running', 'm', '[]', '1d', {T}, '{{}}', '{{}}')"
)


def _half_created(url: str, *, version_table: bool, with_a_run: bool = False) -> None:
    """The state an interrupted first migration of an older tradebot left."""
    engine = open_engine(url)  # creates the SQLite file's folder
    try:
        tables = [RunRow.__table__, StrategyRow.__table__, SignalRow.__table__]
        Base.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
        with engine.begin() as connection:
            if version_table:
                connection.execute(
                    text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
                )
            if with_a_run:
                connection.execute(text(RUN))
    finally:
        engine.dispose()


def _state(url: str) -> tuple[set[str], str | None]:
    engine = create_engine(url)
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    return names, migrate.current(url)


@pytest.mark.parametrize("version_table", [True, False], ids=["empty-version", "no-version"])
def test_an_interrupted_first_migration_is_repaired(db_url: str, version_table: bool) -> None:
    _half_created(db_url, version_table=version_table)
    with pytest.raises(StoreError, match="schema is at nothing"):
        SqlStore(db_url, auto_migrate=False)

    with capture_logs() as logs, SqlStore(db_url) as store:
        assert store.latest_run_id() is None
    assert _state(db_url) == (APP_TABLES, migrate.head())
    warnings = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warnings) == 1
    assert "interrupted first migration" in warnings[0]["event"]

    migrate.upgrade(db_url)  # and `tradebot db upgrade` finds nothing more to do
    assert _state(db_url) == (APP_TABLES, migrate.head())


def test_leftover_tables_holding_rows_are_refused_with_one_line_and_kept(db_url: str) -> None:
    _half_created(db_url, version_table=True, with_a_run=True)
    before = _state(db_url)
    for attempt in (lambda: SqlStore(db_url), lambda: migrate.upgrade(db_url)):
        with pytest.raises(StoreError) as caught:
            attempt()
        line = caught.value.one_line()
        assert "\n" not in line
        assert "backtest_runs" in caught.value.message and "no schema version" in line
        assert "nothing was changed" in caught.value.hint
    assert _state(db_url) == before
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM backtest_runs")).scalars().all() == ["r"]
    finally:
        engine.dispose()


def _chain(at: str) -> list[str]:
    """A run with one row in every table of the signal → decision → order → fill chain."""
    signal_columns = "contributions, " if at != "0001_initial" else ""
    signal_values = "'{}', " if at != "0001_initial" else ""
    return [
        RUN,
        f"INSERT INTO signals (run_id, id, ts, symbol, direction, strength, confidence, price, "
        f"{signal_columns}sources) VALUES ('r', 's', {T}, 'A', 'long', 0.5, 0.5, 1.0, "
        f"{signal_values}'{{}}')",
        "INSERT INTO trading_decisions (run_id, id, signal_id, ts, symbol, action, side, "
        f"quantity, reference_price, reason, trace, strategies) VALUES ('r', 'd', 's', {T}, "
        "'A', 'act', 'buy', '1', '1', 'x', '{}', '[]')",
        "INSERT INTO orders (run_id, client_order_id, decision_id, symbol, side, type, quantity, "
        f"status, created_at, updated_at, reason) VALUES ('r', 'o', 'd', 'A', 'buy', 'market', "
        f"'1', 'filled', {T}, {T}, '')",
        "INSERT INTO fills (run_id, fill_id, client_order_id, symbol, side, quantity, price, "
        f"commission, ts) VALUES ('r', 'f', 'o', 'A', 'buy', '1', '1', '0', {T})",
    ]


def _counts(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("backtest_runs", "signals", "trading_decisions", "orders", "fills")
            }
    finally:
        engine.dispose()


def test_migrations_that_rebuild_a_table_keep_its_childrens_rows(sqlite_url: str) -> None:
    """SQLite rebuilds a table to alter a column (0003 rebuilds ``orders``); with foreign
    keys on, dropping the old table cascade-deleted every fill. Migrations run with them
    off and check them before committing."""
    migrate.upgrade(sqlite_url, "0002_signal_contributions")
    engine = create_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            for statement in _chain("0002_signal_contributions"):
                connection.execute(text(statement))
    finally:
        engine.dispose()
    everything = dict.fromkeys(
        ("backtest_runs", "signals", "trading_decisions", "orders", "fills"), 1
    )

    migrate.upgrade(sqlite_url)
    assert _counts(sqlite_url) == everything
    migrate.downgrade(sqlite_url, "0007_risk_state_and_events")  # rebuilds backtest_runs
    assert _counts(sqlite_url) == everything
    migrate.upgrade(sqlite_url)
    assert _counts(sqlite_url) == everything
    with SqlStore(sqlite_url) as store:
        assert [fill.fill_id for fill in store.fills("r")] == ["f"]
