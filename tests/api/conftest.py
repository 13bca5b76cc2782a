"""Fixtures of the API tests: the real app over real services on a SQLite file, seeded
once per session with a real backtest and copied for each test.

Tokens: ``token``/``fresh_token`` are signed by the app's own :class:`TokenIssuer` for a
user created in the database — real JWTs that the real verification checks (nothing is
patched). The passkey ceremonies themselves are exercised in ``test_auth_*``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.optional import require

require("fastapi")
require("webauthn")
require("jwt")

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from tests.api.seeding import copy_database, seed_backtest  # noqa: E402
from tradebot.adapters.clock import utc_now  # noqa: E402
from tradebot.adapters.sql.auth_rows import AuthRows, UserRecord  # noqa: E402
from tradebot.api import create_app  # noqa: E402
from tradebot.api.auth.context import AuthContext  # noqa: E402
from tradebot.api.server import auth_context_of  # noqa: E402
from tradebot.config import Settings, load_settings  # noqa: E402
from tradebot.service import Services  # noqa: E402

TEST_SECRET = "test-secret-" + "x" * 40


def api_settings(url: str, **api: object) -> Settings:
    """Settings for a test app on ``url`` (no engine started unless asked; reads see the
    store at once: the short read memo is off)."""
    return load_settings(
        store={"url": url},
        api={"jwt_secret": TEST_SECRET, "engine": "none", "read_cache_ms": 0, **api},
        learning={"enabled": True},
    )


@pytest.fixture(scope="session")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(database file, run id) of one real backtest, made once per test session."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    run_id = seed_backtest(api_settings(f"sqlite:///{path}"))
    return path, run_id


@pytest.fixture
def seeded_run(seeded_file: tuple[Path, str]) -> str:
    return seeded_file[1]


@pytest.fixture
def db_path(tmp_path: Path, seeded_file: tuple[Path, str]) -> Path:
    """This test's own copy of the seeded database."""
    target = tmp_path / "api.db"
    copy_database(seeded_file[0], target)
    return target


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return api_settings(f"sqlite:///{db_path}")


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    opened = Services.open(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def auth_context(services: Services, settings: Settings) -> AuthContext:
    return auth_context_of(services, TEST_SECRET)


@pytest.fixture
def app(services: Services, auth_context: AuthContext) -> FastAPI:
    return create_app(services, auth_context)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://localhost:8000") as test_client:
        yield test_client


@pytest.fixture
def user(services: Services) -> UserRecord:
    return AuthRows(services.db).add_user("alice", "Alice", utc_now())


@pytest.fixture
def token(auth_context: AuthContext, user: UserRecord) -> str:
    return auth_context.tokens.issue(user.id, utc_now())


@pytest.fixture
def fresh_token(auth_context: AuthContext, user: UserRecord) -> str:
    now = utc_now()
    return auth_context.tokens.issue(user.id, now, step_up_at=now)


@pytest.fixture
def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def fresh_headers(fresh_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {fresh_token}"}
