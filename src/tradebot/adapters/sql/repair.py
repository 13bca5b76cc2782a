"""What a migration does around Alembic: hold the database, repair an interrupted first
migration left by an older tradebot, and check the foreign keys before committing.

Before migrations ran in one transaction, a first migration on SQLite killed half-way (or
raced by a second process) left some tables and an empty ``alembic_version``, after which
every command failed with "table ... already exists". Such leftovers hold no rows (nothing
can write to a database whose schema was never finished), so they are dropped and the
migration starts again; tables that do hold rows are never dropped — the user is told what
to do instead.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, select, table, text
from sqlalchemy.engine import make_url

from tradebot.adapters.sql.models import Base
from tradebot.domain.errors import StoreError
from tradebot.ops.logging import get_logger

__all__ = ["MIGRATION_LOCK_ID", "check_foreign_keys", "lock", "repair_interrupted_start"]

MIGRATION_LOCK_ID = 0x7472616465626F74  # "tradebot"
"""PostgreSQL advisory lock key held by a migration until its transaction ends."""

_VERSION_TABLE = "alembic_version"
_log = get_logger("store")


def lock(connection: Connection) -> None:
    """Hold the database for the rest of ``connection``'s transaction against another
    migrator. SQLite: the migration engine's ``BEGIN IMMEDIATE`` already does."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_ID})


def _has_version(connection: Connection, names: set[str]) -> bool:
    if _VERSION_TABLE not in names:
        return False
    query = select(text("1")).select_from(table(_VERSION_TABLE)).limit(1)
    return connection.execute(query).first() is not None


def _holds_rows(connection: Connection, name: str) -> bool:
    return (
        connection.execute(select(text("1")).select_from(table(name)).limit(1)).first() is not None
    )


def repair_interrupted_start(connection: Connection, url: str) -> None:
    """Drop the empty tradebot tables of a database that has no schema version; refuse
    (one line, nothing changed) when any of them holds rows."""
    names = set(inspect(connection).get_table_names())
    leftovers = [t for t in reversed(Base.metadata.sorted_tables) if t.name in names]
    if not leftovers or (_VERSION_TABLE in names and _holds_rows(connection, _VERSION_TABLE)):
        return
    where = make_url(url).render_as_string(hide_password=True)
    holding = sorted(t.name for t in leftovers if _holds_rows(connection, t.name))
    if holding:
        raise StoreError(
            f"{where} holds tradebot tables with rows ({', '.join(holding)}) but no schema "
            "version, so it cannot be migrated safely",
            "nothing was changed: open it with the tradebot version that created it, or move "
            "it aside (or point store.url elsewhere) to start a new database",
        )
    _log.warning(
        "repairing an interrupted first migration: dropping its empty tables",
        database=where,
        tables=len(leftovers),
    )
    for leftover in leftovers:  # children first
        connection.execute(text(f'DROP TABLE "{leftover.name}"'))


def check_foreign_keys(connection: Connection, url: str) -> None:
    """SQLite migrates with foreign keys off: refuse to commit one that broke any."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        where = make_url(url).render_as_string(hide_password=True)
        raise StoreError(
            f"migrating {where} would leave {len(broken)} rows without their parent "
            f"(in {', '.join(tables)}); nothing was changed",
            "restore the database from a backup, or report this with `tradebot --version`",
        )
