"""Helpers of the engine, controls, /ws, backtest and health tests: settings for an app
whose engine host replays the bundled data (news off, one symbol, paced so that it runs
for a minute or more), the app and its client over real services, signed-in users, and
a poll with a deadline (no fixed sleeps)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET
from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.auth_rows import AuthRows, UserRecord
from tradebot.api import create_app
from tradebot.api.auth.context import AuthContext
from tradebot.api.server import auth_context_of
from tradebot.config import Settings, load_settings
from tradebot.service import Services

__all__ = ["Hosted", "engine_settings", "hosted_app", "until"]

T = TypeVar("T")


def engine_settings(db: Path, **api: Any) -> Settings:
    """A replay of AAPL's bundled bars without news at ×1,000,000 (a daily bar every
    0.09 s: the first trades within seconds, the whole replay over a minute)."""
    return load_settings(
        store={"url": f"sqlite:///{db}"},
        api={
            "jwt_secret": TEST_SECRET,
            "engine": "replay",
            "symbols": ["AAPL"],
            "replay_speed": 1_000_000,
            "ws_ping_s": 0.2,
            **api,
        },
        news={"enabled": False},
    )


@dataclass(frozen=True, slots=True)
class Hosted:
    services: Services
    client: TestClient
    auth: AuthContext
    user: UserRecord

    def headers(self, *, fresh: bool = False, ttl_left: timedelta | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(fresh=fresh, ttl_left=ttl_left)}"}

    def token(self, *, fresh: bool = False, ttl_left: timedelta | None = None) -> str:
        """A real access token of the user; ``ttl_left``: one that expires that soon."""
        now = utc_now()
        issued = now if ttl_left is None else now - self.auth.tokens.ttl + ttl_left
        return self.auth.tokens.issue(self.user.id, issued, step_up_at=now if fresh else None)


@contextmanager
def hosted_app(settings: Settings, *, start: bool = False) -> Iterator[Hosted]:
    """The real app on real services; ``start`` starts the engine host (from this, the
    main, thread: its SIGUSR1 handler is installed as under ``tradebot serve``)."""
    services = Services.open(settings)
    try:
        auth = auth_context_of(services, TEST_SECRET)
        rows = AuthRows(services.db)  # a second app on the same database finds her there
        user = rows.user_named("alice") or rows.add_user("alice", "Alice", utc_now())
        app = create_app(services, auth)
        with TestClient(app, base_url="http://localhost:8000") as client:
            if start:
                services.host.start()
            yield Hosted(services, client, auth, user)
    finally:
        services.close()


def until(condition: Callable[[], T | None], what: str, timeout_s: float = 60.0) -> T:
    """Poll ``condition`` every 50 ms until it returns something truthy; fail after
    ``timeout_s`` naming ``what``."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.05)
