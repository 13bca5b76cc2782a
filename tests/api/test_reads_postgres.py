"""The read routes on PostgreSQL: the same real backtest recorded there, every GET route
outside ``/api/auth`` answering 200 with the same body as on SQLite (money exact, times
UTC) — filters, paging and figures are portable SQL, not SQLite's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET, api_settings
from tests.api.route_table import routes
from tests.api.seeding import SEED_REQUEST, seed_backtest
from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.auth_rows import AuthRows
from tradebot.api import create_app
from tradebot.api.server import auth_context_of
from tradebot.service import Services

pytestmark = pytest.mark.postgres

FILTERS: dict[str, dict[str, Any]] = {
    "/api/trades": {"symbol": "AAPL", "profitable": "true", "limit": 5},
    "/api/trading/decisions": {"symbol": "MSFT", "action": "act", "limit": 5},
    "/api/signals": {"symbol": "AAPL", "limit": 5},
    "/api/news": {"ticker": "AAPL", "min_score": "0.1", "limit": 5},
    "/api/portfolio/history": {"period": "3M"},
    "/api/strategies/{name}/metrics": {"bucket": "month"},
}
RUN_ID = "bt-same-run-on-both"
"""Both stores record the run under one id, so every id derived from it agrees."""
VOLATILE = {"/api/trading/status", "/api/controls/status", "/ready", "/health", "/metrics"}
"""Answers about this process (its engine host, its clock), not about the store."""


class Reader:
    """A signed-in client of the real app over a store at ``url`` (seeded there)."""

    def __init__(self, url: str) -> None:
        settings = api_settings(url)
        self.run_id = seed_backtest(settings, replace(SEED_REQUEST, run_id=RUN_ID))
        self.services = Services.open(settings)
        auth = auth_context_of(self.services, TEST_SECRET)
        user = AuthRows(self.services.db).add_user("alice", "Alice", utc_now())
        self.headers = {"Authorization": f"Bearer {auth.tokens.issue(user.id, utc_now())}"}
        self.app = create_app(self.services, auth)
        self.client = TestClient(self.app, base_url="http://localhost:8000")

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, (path, response.text)
        return response.json()

    def close(self) -> None:
        self.client.close()
        self.services.close()


@pytest.fixture
def both(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Reader, Reader]]:
    pg, lite = Reader(postgres_url), Reader(f"sqlite:///{tmp_path / 'lite.db'}")
    try:
        yield pg, lite
    finally:
        pg.close()
        lite.close()


def _concrete(path: str, reader: Reader) -> str:
    trade = reader.get("/api/trades", limit=1)["items"][0]["id"]
    decision = reader.get("/api/trading/decisions", limit=1)["items"][0]["id"]
    values = {
        "trade_id": trade,
        "decision_id": decision,
        "name": "momentum",
        "run_id": reader.run_id,
        "backtest_id": reader.run_id,
    }
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)


def _recorded(body: Any) -> Any:
    """The body without the wall-clock times the two recordings were made at, nor the
    articles' surrogate keys (PostgreSQL's sequence advances on a duplicate article that
    the insert then skips; SQLite's rowid does not)."""
    if isinstance(body, dict):
        return {
            k: _recorded(v)
            for k, v in body.items()
            if k not in ("started_at", "finished_at", "submitted_at", "updated_at", "article_id")
        }
    if isinstance(body, list):
        return [_recorded(v) for v in body]
    return body


def test_every_read_route_answers_the_same_on_postgresql(both: tuple[Reader, Reader]) -> None:
    pg, lite = both
    gets = sorted(
        path
        for method, path, _ in routes(pg.app)
        if method == "GET" and not path.startswith("/api/auth") and path not in VOLATILE
    )
    assert len(gets) >= 20
    for path in gets:
        params = FILTERS.get(path, {})
        on_pg = pg.get(_concrete(path, pg), **params)
        on_lite = lite.get(_concrete(path, lite), **params)
        if path in ("/api/runs/{run_id}", "/api/trading/config"):
            continue  # the settings shown name each store's own URL
        assert _recorded(on_pg) == _recorded(on_lite), path
