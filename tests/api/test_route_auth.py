"""Generated from the route table: every route but the public allow-list answers 401
without a valid token, and every step-up action 403 without a fresh passkey assertion.

A route added later is covered without touching this file; a new public route must be
added to :data:`PUBLIC` on purpose (the test fails while the table and the list disagree).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import api_settings
from tests.api.route_table import dependency_calls, routes
from tradebot.api.deps import STEP_UP_REQUIRED, current_user, fresh_user
from tradebot.config import Settings

PUBLIC = {
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/metrics"),  # Prometheus scrapes without a session (api.metrics_token guards it)
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/api/auth/status"),
    ("POST", "/api/auth/register/begin"),
    ("POST", "/api/auth/register/complete"),
    ("POST", "/api/auth/login/begin"),
    ("POST", "/api/auth/login/complete"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
}
FASTAPI_OWN = {("GET", p) for p in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")}
"""FastAPI's own pages (not API routes): public, and holding nothing of ours."""
STEP_UP_EXPECTED = {
    ("POST", "/api/controls/flatten"),
    ("POST", "/api/controls/go-live"),
    ("POST", "/api/auth/passkeys/begin"),
    ("POST", "/api/auth/passkeys/complete"),
    ("DELETE", "/api/auth/passkeys/{passkey_id}"),
    ("POST", "/api/auth/invites"),
    ("PUT", "/api/trading/config"),
    ("PUT", "/api/trading/notifications/config"),
}
"""Step-up by route; the actions whose danger depends on the body are in BODY_STEP_UP."""
BODY_STEP_UP: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/api/controls/kill", {"flatten": True}),
]


@pytest.fixture
def settings(db_path: Path) -> Settings:
    """The sign-in rate limit out of the way: this test calls every auth route thrice."""
    return api_settings(f"sqlite:///{db_path}", auth_rate_per_minute=100_000)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def test_the_public_list_is_exactly_the_routes_without_authentication(app: FastAPI) -> None:
    unauthenticated = {
        (method, path)
        for method, path, route in routes(app)
        if current_user not in dependency_calls(route.dependant)
    }
    assert unauthenticated == PUBLIC - FASTAPI_OWN


def test_every_private_route_answers_401_without_a_token(app: FastAPI, client: TestClient) -> None:
    checked = 0
    for method, path, _ in routes(app):
        if (method, path) in PUBLIC:
            continue
        url = _concrete(path)
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
            response = client.request(method, url, headers=headers, json={})
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["WWW-Authenticate"] == "Bearer"
        checked += 1
    assert checked >= 30, f"only {checked} private routes: is the route table mounted?"


def test_step_up_routes_are_the_expected_ones(app: FastAPI) -> None:
    marked = {
        (method, path)
        for method, path, route in routes(app)
        if fresh_user in dependency_calls(route.dependant)
    }
    assert marked == STEP_UP_EXPECTED


@pytest.mark.parametrize(("method", "path"), sorted(STEP_UP_EXPECTED))
def test_step_up_routes_answer_403_without_a_fresh_assertion(
    client: TestClient, headers: dict[str, str], method: str, path: str
) -> None:
    response = client.request(method, _concrete(path), headers=headers, json={})
    assert response.status_code == 403, response.text
    assert response.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED


@pytest.mark.parametrize(("method", "path", "body"), BODY_STEP_UP)
def test_dangerous_bodies_answer_403_without_a_fresh_assertion(
    client: TestClient, headers: dict[str, str], method: str, path: str, body: dict[str, Any]
) -> None:
    response = client.request(method, path, headers=headers, json=body)
    assert response.status_code == 403, response.text
    assert response.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED
