"""Shared fixtures: real databases for the integration tests (no mocks)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

POSTGRES_URL = os.environ.get(
    "TRADEBOT_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in a fresh temporary folder (not created yet)."""
    return f"sqlite:///{tmp_path / 'db' / 'tradebot.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The local PostgreSQL server, isolated in a fresh schema that is dropped afterwards.

    Set ``TRADEBOT_TEST_POSTGRES_URL`` to use another server. With the server down the
    test is skipped, except under ``CI=true``, where it fails.
    """
    schema = f"test_{uuid4().hex[:12]}"
    try:
        admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except (SQLAlchemyError, ImportError) as exc:
        reason = str(exc).strip().splitlines()[0]
        message = f"PostgreSQL not available at {make_url(POSTGRES_URL)!r}: {reason}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite_url", pytest.param("postgres_url", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: :func:`sqlite_url`, then :func:`postgres_url` (marked ``postgres``)."""
    url: str = request.getfixturevalue(request.param)
    return url
