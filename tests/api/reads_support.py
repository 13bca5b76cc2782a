"""Helpers of the read-route tests: a GET that must succeed, every page of a list, times
from JSON, and the app with ``/api/runs`` mounted (until the app factory mounts it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tradebot.api import create_app
from tradebot.api.auth.context import AuthContext
from tradebot.api.routes import runs
from tradebot.service import Services

__all__ = ["get", "get_all", "mount_runs", "when"]


def mount_runs(services: Services, auth: AuthContext) -> FastAPI:
    app = create_app(services, auth)
    if not any(getattr(r, "path", "") == "/api/runs" for r in app.routes):
        app.include_router(runs.router)
    return app


def get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    """The JSON of a GET that must answer 200."""
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, (path, params, response.text)
    return response.json()


def get_all(
    client: TestClient, headers: dict[str, str], path: str, **params: Any
) -> list[dict[str, Any]]:
    """Every item of a paged list, page after page; the pages must tile it exactly."""
    limit = int(params.pop("limit", 50))
    items: list[dict[str, Any]] = []
    while True:
        page = get(client, headers, path, limit=limit, offset=len(items), **params)
        items.extend(page["items"])
        if not page["items"] or len(items) >= page["total"]:
            assert len(items) == page["total"], (path, params)
            return items


def when(text: str) -> datetime:
    """A time from JSON (a date alone is its midnight), in UTC."""
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
