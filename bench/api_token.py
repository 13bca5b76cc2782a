"""A real access token for the API benches: a user added to the server's database and a
JWT signed with the server's secret (its schema brought to head first)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

from tradebot.adapters.sql.auth_rows import AuthRows
from tradebot.api.auth.tokens import TokenIssuer
from tradebot.service.database import open_database

__all__ = ["bench_token", "free_port"]


def bench_token(url: str, secret: str) -> str:
    db = open_database(url)
    try:
        rows = AuthRows(db)
        now = datetime.now(UTC)
        user = rows.user_named("bench") or rows.add_user("bench", "Bench", now)
    finally:
        db.dispose()
    return TokenIssuer(secret, timedelta(hours=2)).issue(user.id, now)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
