"""Alembic environment: runs the packaged migrations on a connection or a URL.

:mod:`tradebot.adapters.sql.migrate` hands over an open connection in
``config.attributes["connection"]``; a plain ``alembic`` command line uses
``sqlalchemy.url`` instead. SQLite runs in batch mode (it cannot ALTER most things in
place); on PostgreSQL an advisory lock keeps two processes from migrating at once, on
SQLite the migration engine's ``BEGIN IMMEDIATE`` does
(:func:`tradebot.adapters.sql.connect.open_engine`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.models import Base
from tradebot.adapters.sql.repair import lock

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    lock(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("set sqlalchemy.url or pass a connection in config.attributes")
    engine = open_engine(url, migrating=True)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
