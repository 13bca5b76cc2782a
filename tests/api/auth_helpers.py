"""A rig for the auth tests: the real app on a fresh database, a clock the test moves, and
a browser with a software passkey (:mod:`tradebot.testing.webauthn`) that runs the real
ceremonies against it — py_webauthn verifies every response for real.

Each ``test_auth_*`` module defines a ``rig`` fixture over :func:`open_rig`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.auth_rows import AuthRows
from tradebot.api import create_app
from tradebot.api.auth.context import AuthContext
from tradebot.api.auth.cookies import CSRF_COOKIE, CSRF_HEADER, REFRESH_COOKIE
from tradebot.api.auth.invites import Invites
from tradebot.api.server import auth_context_of
from tradebot.config import Settings, load_settings
from tradebot.service import Services
from tradebot.testing.webauthn import SoftAuthenticator

__all__ = ["ORIGIN", "SECRET", "Clock", "Rig", "open_rig"]

SECRET = "auth-test-secret-" + "y" * 40
ORIGIN = "http://localhost:8000"


@dataclass(slots=True)
class Clock:
    """Time for the app: starts at the wall clock's (codes the CLI issues share the
    database), then moves only when the test says."""

    now: datetime = field(default_factory=lambda: utc_now().replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(slots=True)
class Rig:
    clock: Clock
    settings: Settings
    services: Services
    context: AuthContext
    app: FastAPI
    client: TestClient
    key: SoftAuthenticator = field(default_factory=lambda: SoftAuthenticator(origin=ORIGIN))

    @property
    def rows(self) -> AuthRows:
        return AuthRows(self.services.db)

    def code(self) -> str:
        """A setup code while nobody is registered, else an invitation."""
        ttl = timedelta(seconds=self.settings.api.setup_code_ttl_s)
        return Invites(self.rows, ttl, self.clock).issue(None).code

    def begin_register(self, name: str = "alice", code: str | None = None) -> dict[str, Any]:
        body = {"name": name, "display_name": name.title(), "code": code or self.code()}
        response = self.client.post("/api/auth/register/begin", json=body)
        assert response.status_code == 200, response.text
        begun: dict[str, Any] = response.json()
        return begun

    def register(
        self,
        name: str = "alice",
        *,
        code: str | None = None,
        key: SoftAuthenticator | None = None,
        **knobs: Any,
    ) -> httpx.Response:
        """The whole registration (begin, the authenticator's answer, complete)."""
        begun = self.begin_register(name, code)
        credential = (key or self.key).create(begun["options"], **knobs)
        body = {"ceremony_id": begun["ceremony_id"], "credential": credential}
        return self.client.post("/api/auth/register/complete", json=body)

    def begin_login(self, name: str | None = None) -> dict[str, Any]:
        response = self.client.post("/api/auth/login/begin", json={"name": name})
        assert response.status_code == 200, response.text
        begun: dict[str, Any] = response.json()
        return begun

    def login(
        self, name: str | None = None, *, key: SoftAuthenticator | None = None, **knobs: Any
    ) -> httpx.Response:
        begun = self.begin_login(name)
        credential = (key or self.key).get(begun["options"], **knobs)
        body = {"ceremony_id": begun["ceremony_id"], "credential": credential}
        return self.client.post("/api/auth/login/complete", json=body)

    def step_up(self, token: str, *, key: SoftAuthenticator | None = None) -> httpx.Response:
        begun = self.client.post("/api/auth/step-up/begin", headers=bearer(token))
        assert begun.status_code == 200, begun.text
        credential = (key or self.key).get(begun.json()["options"])
        body = {"ceremony_id": begun.json()["ceremony_id"], "credential": credential}
        return self.client.post("/api/auth/step-up/complete", json=body, headers=bearer(token))

    def refresh(self, **headers: str) -> httpx.Response:
        """POST /refresh as the page does: the cookie jar plus the CSRF header."""
        csrf = self.client.cookies.get(CSRF_COOKIE)
        sent = {CSRF_HEADER: csrf} if csrf else {}
        return self.client.post("/api/auth/refresh", headers={**sent, **headers})

    def refresh_cookie(self) -> str | None:
        return self.client.cookies.get(REFRESH_COOKIE)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def open_rig(tmp_path: Path, **api: Any) -> Iterator[Rig]:
    """The app on a new database under ``tmp_path``; ``api`` overrides ``Settings.api``."""
    settings = load_settings(
        store={"url": f"sqlite:///{tmp_path / 'auth.db'}"},
        api={"jwt_secret": SECRET, "engine": "none", "auth_rate_per_minute": 10_000, **api},
    )
    services = Services.open(settings)
    clock = Clock()
    context = auth_context_of(services, SECRET, clock)
    app = create_app(services, context)
    try:
        with TestClient(app, base_url=ORIGIN) as client:
            yield Rig(clock, settings, services, context, app, client)
    finally:
        services.close()
