"""Migrations run up, down and up again on SQLite and PostgreSQL, and match the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, create_engine, inspect, text

from tradebot.adapters.sql import migrate
from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.models import Base
from tradebot.adapters.sql.store import SqlStore
from tradebot.adapters.sql.types import ExactDecimal
from tradebot.domain.errors import StoreError

APP_TABLES = set(Base.metadata.tables)


def _tables(url: str) -> set[str]:
    engine = open_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _diff(url: str, metadata: MetaData) -> list[Any]:
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    assert migrate.current(db_url) is None

    migrate.upgrade(db_url)
    assert migrate.current(db_url) == migrate.head() == "0014_notification_delivery_key"
    assert _tables(db_url) == APP_TABLES

    migrate.downgrade(db_url)
    assert migrate.current(db_url) is None
    assert _tables(db_url) == set()

    migrate.upgrade(db_url)
    assert migrate.current(db_url) == migrate.head()
    assert _tables(db_url) == APP_TABLES


def test_each_revision_steps_up_and_down_keeping_rows(db_url: str) -> None:
    migrate.upgrade(db_url, "0001_initial")
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into backtest_runs (id, mode, status, strategy, symbols, timeframe, "
                    "started_at, config, metrics) values ('r', 'backtest', 'running', 'm', '[]', "
                    "'1d', '2020-01-01 00:00:00+00:00', '{}', '{}')"
                )
            )
            conn.execute(
                text(
                    "insert into signals (run_id, id, ts, symbol, direction, strength, confidence, "
                    "price, sources) values ('r', 's', '2020-01-01 00:00:00+00:00', 'A', 'long', "
                    "0.5, 0.5, 1.0, '{}')"
                )
            )
        migrate.upgrade(db_url, "0002_signal_contributions")
        with engine.connect() as conn:
            row = conn.execute(text("select id, contributions from signals")).one()
        assert row[0] == "s"
        assert row[1] in ("{}", {})
        migrate.downgrade(db_url, "0001_initial")
        with engine.connect() as conn:
            assert conn.execute(text("select count(*) from signals")).scalar() == 1
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(db_url: str) -> None:
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)
    assert migrate.current(db_url) == migrate.head()


def test_models_and_migrations_do_not_drift(db_url: str) -> None:
    migrate.upgrade(db_url)
    assert _diff(db_url, Base.metadata) == []


def test_drift_check_sees_a_changed_type_and_a_new_column(sqlite_url: str) -> None:
    """The empty diff above means something: a real difference is reported."""
    migrate.upgrade(sqlite_url)
    changed = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(changed)
    signals = changed.tables["signals"]
    signals.c.price.type = ExactDecimal()
    signals.append_column(Column("extra", ExactDecimal(), nullable=True))

    # Alembic reports a column change as a list of tuples, anything else as one tuple.
    entries = [e[0] if isinstance(e, list) else e for e in _diff(sqlite_url, changed)]
    assert sorted(entry[0] for entry in entries) == ["add_column", "modify_type"]


def test_upgrade_creates_the_sqlite_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "tradebot.db"
    migrate.upgrade(f"sqlite:///{path}")
    assert path.is_file()


def test_unreachable_server_is_one_line_without_the_password() -> None:
    url = "postgresql+psycopg://trader:s3cret-pw@127.0.0.1:1/tradebot"
    with pytest.raises(StoreError) as caught:
        migrate.upgrade(url)
    line = caught.value.one_line()
    assert "s3cret-pw" not in line
    assert "trader:***@127.0.0.1:1/tradebot" in line
    assert "\n" not in line
    assert caught.value.hint


def test_not_a_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        migrate.upgrade("tradebot.db")


def test_unsupported_backend_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="unsupported database"):
        migrate.upgrade("mysql://u:pw@localhost/db")


def test_store_without_auto_migrate_refuses_an_old_schema(sqlite_url: str) -> None:
    with pytest.raises(StoreError) as caught:
        SqlStore(sqlite_url, auto_migrate=False)
    assert "tradebot db upgrade" in caught.value.hint

    migrate.upgrade(sqlite_url)
    SqlStore(sqlite_url, auto_migrate=False).close()


def test_migration_scripts_ship_inside_the_package() -> None:
    versions = migrate.MIGRATIONS_DIR / "versions"
    assert (migrate.MIGRATIONS_DIR / "env.py").is_file()
    assert (migrate.MIGRATIONS_DIR / "script.py.mako").is_file()
    assert (versions / "0001_initial.py").is_file()
    assert migrate.MIGRATIONS_DIR.is_relative_to(Path(migrate.__file__).parent)
