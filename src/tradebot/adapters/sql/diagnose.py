"""Turning a database failure into one line that says what went wrong and what to do.

"Check the database URL" is the wrong advice for a full disk, a read-only file or a file
that is not a database at all, so each failure the user can fix is recognised — by the
driver's error code where it gives one (SQLite's ``sqlite_errorname``, PostgreSQL's
SQLSTATE, ``errno`` for ``OSError``) and by its message otherwise — and gets its own hint.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

from tradebot.domain.errors import StoreError

__all__ = ["store_error"]


@dataclass(frozen=True)
class _Failure:
    """What the driver said, lower-cased, with its codes and the database it concerns."""

    text: str
    code: str  # sqlite_errorname (SQLITE_FULL, ...), SQLSTATE, or "" when none
    errno: int | None
    target: str  # the SQLite file, or host:port/db of a server
    sqlite: bool

    def says(self, *fragments: str) -> bool:
        return any(fragment in self.text for fragment in fragments)


def _disk_full(f: _Failure) -> str | None:
    if (
        f.code in ("SQLITE_FULL", "53100")
        or f.errno == errno.ENOSPC
        or f.says("database or disk is full", "no space left")
    ):
        return f"the disk holding {f.target} is full: free some space, or point store.url elsewhere"
    return None


def _read_only(f: _Failure) -> str | None:
    if f.code == "25006" or f.says("read-only transaction"):
        return (
            f"{f.target} accepts no writes (a standby, or default_transaction_read_only): "
            "connect to the primary or a writable database"
        )
    if f.code == "42501" or (not f.sqlite and f.says("permission denied")):
        return (
            f"the database user may not do this on {f.target}: grant it the rights or use the owner"
        )
    if (
        f.code.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH"))
        or f.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        or f.says("readonly database", "read-only", "permission denied")
    ):
        return (
            f"{f.target} (or its folder) is read-only: fix its permissions, "
            "or pick another file with store.url"
        )
    return None


def _cannot_open(f: _Failure) -> str | None:
    if f.code.startswith("SQLITE_CANTOPEN") or f.says("unable to open database file"):
        return (
            f"cannot create or open {f.target}: check that its folder exists and is writable, "
            "or pick another file with store.url"
        )
    if f.errno in (errno.ENOTDIR, errno.EEXIST, errno.ENOENT) or f.says("not a directory"):
        return (
            f"cannot create the folder for {f.target}: a file is in the way; pick another store.url"
        )
    return None


def _locked(f: _Failure) -> str | None:
    if f.code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED", "55P03")) or f.says(
        "database is locked", "lock timeout"
    ):
        return (
            f"another process kept {f.target} locked for too long: wait for it to finish "
            "(or stop it), then retry"
        )
    return None


def _damaged(f: _Failure) -> str | None:
    if f.code.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")) or f.says(
        "file is not a database", "disk image is malformed"
    ):
        return (
            f"{f.target} is not a tradebot SQLite database or is damaged: point store.url at "
            "another file, or restore it from a backup"
        )
    if f.code.startswith("SQLITE_IOERR") or f.says("disk i/o error"):
        return (
            f"reading or writing {f.target} failed at the disk (I/O error): check the disk, its "
            "free space and the file's permissions; network file systems are not supported"
        )
    return None


def _server(f: _Failure) -> str | None:
    if f.code in ("28P01", "28000") or f.says("authentication failed", "no password supplied"):
        return "the server refused the user or password: fix them in store.url"
    if f.code == "3D000" or (f.says('database "') and f.says("does not exist")):
        return "create the database first (createdb NAME) or fix its name in store.url"
    if f.says('role "') and f.says("does not exist"):
        return "that user does not exist on the server: fix the user name in store.url"
    if f.code.startswith("08") or f.says(
        "connection refused", "could not connect", "connection timeout", "timeout expired"
    ):
        return (
            f"no database server answers at {f.target}: start it, or fix host and port in store.url"
        )
    return None


def _schema(f: _Failure) -> str | None:
    if f.code == "42P01" or f.says("no such table", "no such column", "does not exist"):
        return "create or update the schema: tradebot db upgrade"
    return None


_RULES: tuple[Callable[[_Failure], str | None], ...] = (
    _disk_full,
    _read_only,
    _damaged,
    _locked,
    _cannot_open,
    _server,
    _schema,
)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _code(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    for name in ("sqlite_errorname", "sqlstate", "pgcode"):
        value = getattr(cause, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def _errno(exc: BaseException) -> int | None:
    cause = getattr(exc, "orig", None) or exc
    value = getattr(cause, "errno", None)
    return value if isinstance(value, int) else None


def _target(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database.startswith("file:"):
            database = database[len("file:") :]
        return database if database not in ("", ":memory:") else "the in-memory database"
    place = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"{place}/{url.database}" if url.database else place


def store_error(exc: BaseException, url: str | URL, doing: str) -> StoreError:
    """One clear :class:`StoreError` for ``exc`` raised while ``doing`` something on ``url``.

    The message names the (password-masked) URL and the driver's first line; the hint
    names the cause the user can act on.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    detail = _first_line(exc)
    if parsed.password:
        detail = detail.replace(str(parsed.password), "***")
    failure = _Failure(
        text=detail.lower(),
        code=_code(exc),
        errno=_errno(exc),
        target=_target(parsed),
        sqlite=parsed.get_backend_name() == "sqlite",
    )
    for rule in _RULES:
        hint = rule(failure)
        if hint is not None:
            break
    else:
        hint = "check the database URL, that the server is up and the schema is current"
    masked = parsed.render_as_string(hide_password=True)
    return StoreError(f"{doing} failed on {masked}: {detail}", hint)
