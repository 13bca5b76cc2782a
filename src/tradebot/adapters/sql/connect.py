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

from tradebot.domain.errors import StoreError

__all__ = ["DEFAULT_URL", "mask_url", "open_engine", "store_error"]

DEFAULT_URL = "sqlite:///.tradebot/tradebot.db"
"""The embedded default: a SQLite file under ``./.tradebot`` (DESIGN.md §5)."""

SQLITE_BUSY_TIMEOUT_S = 5.0
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


def open_engine(url: str, *, durable: bool = True) -> Engine:
    """Create an engine for ``url`` (SQLite or PostgreSQL) with the house settings.

    SQLite: foreign keys on, WAL journal (readers never block the writer), a busy timeout,
    the database file's folder created if missing; ``durable`` picks ``synchronous=FULL``
    (every commit survives power loss: paper and live) over ``NORMAL`` (backtests). An
    in-memory database keeps one shared connection so every session sees the same data.
    PostgreSQL: a finite connect timeout.
    """
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {"json_serializer": _json_dumps}
    if backend == "sqlite":
        if _is_memory(parsed):
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            if parsed.query.get("uri") is None and parsed.database:
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            if "timeout" not in parsed.query:
                kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
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
        _install_sqlite_pragmas(engine, durable=durable, memory=_is_memory(parsed))
    return engine


def _install_sqlite_pragmas(engine: Engine, *, durable: bool, memory: bool) -> None:
    synchronous = "FULL" if durable else "NORMAL"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def store_error(exc: BaseException, url: str | URL, doing: str) -> StoreError:
    """One clear :class:`StoreError` for ``exc`` raised while ``doing`` something on ``url``."""
    parsed = make_url(url) if isinstance(url, str) else url
    detail = _first_line(exc)
    if parsed.password:
        detail = detail.replace(str(parsed.password), "***")
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        hint = "another process holds the database; stop it or retry"
    elif 'database "' in lowered and "does not exist" in lowered:
        hint = "create the database first (createdb NAME) or fix the URL"
    elif "connect" in lowered or "unable to open" in lowered or "refused" in lowered:
        hint = "check that the database server is running and the URL is right"
    elif "no such table" in lowered or "does not exist" in lowered:
        hint = "create or update the schema: tradebot db upgrade"
    else:
        hint = "check the database URL, that the server is up and the schema is current"
    return StoreError(f"{doing} failed on {mask_url(parsed)}: {detail}", hint)
