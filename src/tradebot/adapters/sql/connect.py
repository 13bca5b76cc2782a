"""Opening a database: engine options per backend, credential masking and error wording.

Every way a database can fail us ends as one :class:`~tradebot.domain.errors.StoreError`
line naming the (masked) URL, what went wrong and how to fix it, so the CLI never shows a
traceback and no password ever reaches a log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic_core import to_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from tradebot.adapters.sql.diagnose import store_error
from tradebot.domain.errors import StoreError

__all__ = ["DEFAULT_URL", "is_memory", "mask_url", "open_engine", "store_error"]

DEFAULT_URL = "sqlite:///.tradebot/tradebot.db"
"""The embedded default: a SQLite file under ``./.tradebot`` (DESIGN.md §5)."""

SQLITE_BUSY_TIMEOUT_S = 5.0
"""How long a normal write waits for another process's write to end."""
MIGRATION_BUSY_TIMEOUT_S = 300.0
"""How long a migration waits for another process's migration (or write) to end: long
enough for a migration that copies big tables, so a second process waits, not fails."""
POSTGRES_CONNECT_TIMEOUT_S = 10


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreError(
            "not a database URL",
            "use sqlite:///path/to.db or postgresql+psycopg://user:password@host:5432/db",
        ) from None


def mask_url(url: str | URL) -> str:
    """``url`` with its password replaced by ``***`` (safe to print and log)."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<invalid database URL>"
    return parsed.render_as_string(hide_password=True)


def _json_dumps(value: Any) -> str:
    # pydantic's Rust encoder: several times faster than json.dumps, and it turns Decimal
    # (into its exact string), datetime, enums, tuples and models into JSON values instead
    # of failing the write. Floats keep their shortest round-trip form.
    return to_json(value, inf_nan_mode="null").decode()


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


def is_memory(url: str) -> bool:
    """Whether ``url`` is an in-memory SQLite database (one engine sees it, no file)."""
    parsed = _parse(url)
    return parsed.get_backend_name() == "sqlite" and _is_memory(parsed)


def _make_folder(parsed: URL) -> None:
    if parsed.query.get("uri") is None and parsed.database:
        folder = Path(parsed.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise store_error(exc, parsed, f"creating the folder {folder}") from None


def open_engine(url: str, *, durable: bool = True, migrating: bool = False) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL) with the house settings.

    SQLite: foreign keys on, WAL journal (readers never block the writer), a busy timeout,
    the database file's folder created if missing; ``durable`` picks ``synchronous=FULL``
    (every commit survives power loss: paper and live) over ``NORMAL`` (backtests). An
    in-memory database keeps one shared connection so every session sees the same data.
    PostgreSQL: a finite connect timeout.

    ``migrating`` (SQLite files) gives the engine Alembic needs: every transaction is a
    real one taken with ``BEGIN IMMEDIATE`` — pysqlite on its own emits no BEGIN before
    DDL, so without this a migration is neither atomic nor exclusive — waiting up to
    :data:`MIGRATION_BUSY_TIMEOUT_S` for another process, with foreign keys off as SQLite
    asks for schema changes (a table rebuilt by a batch migration would otherwise
    cascade-delete its children's rows); the migration checks them before committing.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps}
    if backend == "sqlite":
        if _is_memory(parsed):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            _make_folder(parsed)
            if "timeout" not in parsed.query:
                timeout = MIGRATION_BUSY_TIMEOUT_S if migrating else SQLITE_BUSY_TIMEOUT_S
                kwargs["connect_args"] = {"timeout": timeout}
    elif backend == "postgresql":
        if "connect_timeout" not in parsed.query:
            kwargs["connect_args"] = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S}
        kwargs["pool_pre_ping"] = True
    else:
        raise StoreError(
            f"unsupported database {mask_url(parsed)}",
            "use a sqlite:/// or postgresql+psycopg:// URL",
        )
    try:
        engine = create_engine(parsed, **kwargs)
    except (ImportError, SQLAlchemyError) as exc:
        raise StoreError(
            f"cannot open database {mask_url(parsed)}: {exc}",
            "for PostgreSQL install the driver: pip install 'tradebot[postgres]'",
        ) from None
    if backend == "sqlite":
        memory = _is_memory(parsed)
        _install_sqlite_pragmas(engine, durable=durable, memory=memory, migrating=migrating)
        if migrating and not memory:
            _install_immediate_transactions(engine)
    return engine


def _install_sqlite_pragmas(
    engine: Engine, *, durable: bool, memory: bool, migrating: bool
) -> None:
    synchronous = "FULL" if durable or migrating else "NORMAL"
    foreign_keys = "OFF" if migrating and not memory else "ON"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys={foreign_keys}")
            # WAL is a property of the file: set it once. Asking again on every connection
            # would take a lock each time; the first switch waits out the busy timeout
            # like any write when another process is creating the same file.
            if not memory and cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()


def _install_immediate_transactions(engine: Engine) -> None:
    """SQLAlchemy's documented recipe for real SQLite transactions, with BEGIN IMMEDIATE:
    the write lock is taken at the start, so a second migrator waits before reading the
    schema version instead of failing (or racing) half-way."""

    @event.listens_for(engine, "connect")
    def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite emits no BEGIN of its own

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
