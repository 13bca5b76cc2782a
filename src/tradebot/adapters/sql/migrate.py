"""Schema migrations, driven programmatically (no ``alembic.ini`` needed).

``tradebot db upgrade`` calls :func:`upgrade`. The migration scripts ship inside the package
(``tradebot/adapters/sql/migrations``), so an installed wheel can migrate its own database.
To write a new revision during development::

    from alembic import command
from alembic.util.exc import CommandError
    from tradebot.adapters.sql.migrate import alembic_config
    command.revision(alembic_config("sqlite:///dev.db"), "what changed", autogenerate=True)

then check the generated file by hand.

Every migration runs in one transaction that holds the database for its whole length
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), with the version row
written in that same transaction: killed at any point it leaves the database as it was,
and a second process starting at the same time waits and then finds the work done.
A database that an older tradebot left half-created (tradebot tables, no version) is
repaired by :mod:`.repair` first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.sql.connect import mask_url, open_engine, store_error
from tradebot.adapters.sql.repair import check_foreign_keys, lock, repair_interrupted_start
from tradebot.domain.errors import StoreError

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "current",
    "current_on",
    "downgrade",
    "head",
    "upgrade",
    "upgrade_engine",
]

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_T = TypeVar("_T")


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts, for ``url`` or an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation would choke on a '%' in a password.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision the package ships."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover - the package always ships a revision
        raise StoreError("no migrations found", "reinstall tradebot")
    return revision


def _with_connection(
    url: str, doing: str, work: Callable[[Connection], _T], *, migrating: bool = False
) -> _T:
    engine = open_engine(url, migrating=migrating)
    try:
        return _on_engine(engine, url, doing, work)
    finally:
        engine.dispose()


def _on_engine(engine: Engine, url: str, doing: str, work: Callable[[Connection], _T]) -> _T:
    try:
        with engine.begin() as connection:
            return work(connection)
    except StoreError:
        raise
    except CommandError as exc:  # alembic's: an unknown or ambiguous revision, say
        raise StoreError(
            f"{doing} failed on {mask_url(url)}: {exc}",
            "name a revision the package ships (`tradebot db current` shows the database's; "
            "head is the newest, base an empty database)",
        ) from exc
    except (SQLAlchemyError, OSError) as exc:
        raise store_error(exc, url, doing) from exc


def _upgrade(connection: Connection, url: str, revision: str) -> None:
    lock(connection)
    repair_interrupted_start(connection, url)
    command.upgrade(alembic_config(connection=connection), revision)
    check_foreign_keys(connection, url)


def _downgrade(connection: Connection, url: str, revision: str) -> None:
    lock(connection)
    command.downgrade(alembic_config(connection=connection), revision)
    check_foreign_keys(connection, url)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (creating the SQLite file if needed),
    in one transaction that a second migrator waits for."""
    _with_connection(url, "upgrade", lambda c: _upgrade(c, url, revision), migrating=True)


def upgrade_engine(engine: Engine, url: str, revision: str = "head") -> None:
    """Like :func:`upgrade` on an engine already open (an in-memory SQLite database, which
    no other process can see)."""
    _on_engine(engine, url, "upgrade", lambda c: _upgrade(c, url, revision))


def downgrade(url: str, revision: str = "base") -> None:
    """Take the database at ``url`` back to ``revision``; ``base`` drops every table."""
    _with_connection(url, "downgrade", lambda c: _downgrade(c, url, revision), migrating=True)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current(url: str) -> str | None:
    """The revision the database at ``url`` is at; ``None`` for an empty database."""
    return _with_connection(url, "reading the schema version", _current)


def current_on(engine: Engine, url: str) -> str | None:
    """Like :func:`current` on an engine already open."""
    return _on_engine(engine, url, "reading the schema version", _current)
