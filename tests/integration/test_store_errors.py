"""A database that fails us says why in one line: a full disk, a read-only file, a folder
that cannot be created, a lock held too long, a file that is not a database, a server that
is down or refuses us — not "check the database URL" for all of them.

The SQLite failures are caused for real: a full disk with ``PRAGMA max_page_count`` (the
same SQLITE_FULL a full disk gives), a read-only file with a ``mode=ro`` URI (``chmod``
does not stop root), a garbage file. A disk I/O error and a refused password cannot be
caused here; their driver errors are built by hand.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql import migrate
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.errors import StoreError


def _one_line(caught: pytest.ExceptionInfo[StoreError]) -> str:
    line = caught.value.one_line()
    assert "\n" not in line
    assert "check the database URL" not in line
    return line


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """A migrated SQLite file with the sample run in it."""
    path = tmp_path / "tradebot.db"
    with SqlStore(f"sqlite:///{path}") as store:
        store.start_run(s.run_info())
    return path


@pytest.fixture
def no_room() -> Iterator[None]:
    """Every SQLite connection opened meanwhile may not grow its file (SQLITE_FULL)."""

    def cap(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(Engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(Engine, "connect", cap)


def test_a_full_disk_says_so(db_file: Path, no_room: None) -> None:
    store = SqlStore(f"sqlite:///{db_file}", batch_size=10_000)
    for n in range(2_000):
        store.record_signal("run-1", s.signal(n))
    with pytest.raises(StoreError) as caught:
        store.flush()
    assert store.pending == 2_000  # kept for a retry
    with pytest.raises(StoreError, match="database or disk is full"):
        store.close()  # whose last flush fails the same way
    line = _one_line(caught)
    assert "database or disk is full" in line
    assert f"the disk holding {db_file} is full" in caught.value.hint


def test_a_read_only_file_names_it(db_file: Path) -> None:
    url = f"sqlite:///file:{db_file}?mode=ro&uri=true"
    with SqlStore(url) as store:
        assert store.run("run-1") is not None  # reading works
        with pytest.raises(StoreError) as caught:
            store.start_run(s.run_info("run-2"))
    assert "readonly database" in _one_line(caught)
    assert f"{db_file} (or its folder) is read-only" in caught.value.hint
    assert "store.url" in caught.value.hint


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root from writing")
def test_a_file_without_write_permission_names_it(db_file: Path) -> None:  # pragma: no cover
    db_file.chmod(0o444)
    try:
        with pytest.raises(StoreError) as caught, SqlStore(f"sqlite:///{db_file}") as store:
            store.start_run(s.run_info("run-2"))
    finally:
        db_file.chmod(0o644)
    assert "read-only" in _one_line(caught)


def test_a_file_that_cannot_be_opened_says_where(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "tradebot.db"
    with pytest.raises(StoreError) as caught:
        SqlStore(f"sqlite:///file:{missing}?mode=rw&uri=true")
    assert "unable to open database file" in _one_line(caught)
    assert f"cannot create or open {missing}" in caught.value.hint

    with pytest.raises(StoreError) as caught:
        SqlStore(f"sqlite:///{tmp_path}")  # a folder, not a file
    assert "unable to open database file" in _one_line(caught)


def test_a_folder_that_cannot_be_made_says_so(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    path = tmp_path / "a-file" / "sub" / "tradebot.db"
    with pytest.raises(StoreError) as caught:
        SqlStore(f"sqlite:///{path}")
    line = _one_line(caught)
    assert "creating the folder" in line
    assert "a file is in the way" in caught.value.hint


def test_a_lock_held_too_long_names_another_process(db_file: Path) -> None:
    with SqlStore(f"sqlite:///{db_file}?timeout=0.1", batch_size=1) as store:
        blocker = sqlite3.connect(db_file, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError) as caught:
                store.record_signal("run-1", s.signal(1))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
    assert "database is locked" in _one_line(caught)
    assert "another process kept" in caught.value.hint


def test_a_file_that_is_not_a_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "tradebot.db"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(StoreError) as caught:
        SqlStore(f"sqlite:///{path}")
    assert "file is not a database" in _one_line(caught)
    assert f"{path} is not a tradebot SQLite database or is damaged" in caught.value.hint
    assert path.read_bytes() != b""  # left as it was


def _driver_error(message: str) -> OperationalError:
    return OperationalError("INSERT ...", {}, Exception(message))


@pytest.mark.parametrize(
    ("url", "driver_says", "hint_says"),
    [
        ("sqlite:////data/t.db", "disk I/O error", "reading or writing /data/t.db failed"),
        (
            "postgresql+psycopg://bot:pw@db.example:6543/bot",
            'connection failed: FATAL:  password authentication failed for user "bot"',
            "refused the user or password",
        ),
        (
            "postgresql+psycopg://bot:pw@db.example/bot",
            "could not extend file: No space left on device",
            "the disk holding db.example:5432/bot is full",
        ),
    ],
)
def test_failures_that_cannot_be_caused_here_get_their_hint(
    url: str, driver_says: str, hint_says: str
) -> None:
    error = store_error(_driver_error(driver_says), url, "writing 3 records")
    assert hint_says in error.hint
    assert "pw" not in error.one_line().replace("password", "")


@pytest.mark.postgres
def test_postgres_failures_are_told_apart(postgres_url: str) -> None:
    base = make_url(postgres_url)
    cases = [
        (base.set(port=1, database="tradebot"), "no database server answers at 127.0.0.1:1"),
        (base.set(database="no_such_db_for_tradebot"), "createdb"),
        (base.set(username="no_such_role_for_tradebot"), "user does not exist"),
    ]
    for url, hint in cases:
        with pytest.raises(StoreError) as caught:
            migrate.upgrade(url.render_as_string(hide_password=False))
        _one_line(caught)
        assert hint in caught.value.hint, caught.value.one_line()


@pytest.mark.postgres
def test_a_read_only_postgres_says_so(postgres_url: str) -> None:
    migrate.upgrade(postgres_url)
    url = make_url(postgres_url)
    options = f"{url.query['options']} -cdefault_transaction_read_only=on"
    read_only = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    with SqlStore(read_only) as store, pytest.raises(StoreError) as caught:
        store.start_run(s.run_info())
    assert "read-only transaction" in _one_line(caught)
    assert "accepts no writes" in caught.value.hint
