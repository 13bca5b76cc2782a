"""The ``/ws`` protocol: what the client sends, what the server sends, and the close codes.

1. The client's first message, within ``api.ws_auth_timeout_s`` (5 s):
   ``{"type": "auth", "token": "<access token>", "since": <last seq seen, or null>}``.
   A browser cannot set headers on a WebSocket, so the token travels here.
2. The server answers ``hello`` (the latest sequence number), then what the client missed
   since ``since`` as ``event`` messages in order, or ``reset`` when the server no longer
   holds all of it (reload over REST, then follow the stream).
3. Then every new ``event``, in sequence order, and a ``ping`` every ``api.ws_ping_s``.

Close codes: 4401 not (or no longer) authenticated — a bad or missing token, or the token
expired (authenticate again on a new socket); 4429 the client read too slowly and missed
messages (reconnect with ``since``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "CLOSE_TOO_SLOW",
    "CLOSE_UNAUTHORIZED",
    "AuthIn",
    "EventOut",
    "HelloOut",
    "PingOut",
    "ResetOut",
]

CLOSE_UNAUTHORIZED: Final = 4401
CLOSE_TOO_SLOW: Final = 4429


class AuthIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["auth"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    since: Annotated[int, Field(ge=0)] | None = None


class HelloOut(BaseModel):
    type: Literal["hello"] = "hello"
    latest: int = Field(description="The newest sequence number on the server.")
    user: str


class ResetOut(BaseModel):
    """What was missed is no longer all held: reload the views, then follow the stream."""

    type: Literal["reset"] = "reset"
    latest: int


class PingOut(BaseModel):
    type: Literal["ping"] = "ping"
    latest: int


class EventOut(BaseModel):
    """One engine event: ``kind`` is fill, order, decision, signal, news, portfolio, status
    or backtest; ``data`` its payload (money as decimal strings, times in ISO 8601)."""

    type: Literal["event"] = "event"
    seq: int
    kind: str
    ts: datetime
    run_id: str | None
    data: dict[str, Any]
