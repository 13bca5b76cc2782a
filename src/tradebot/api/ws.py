"""``/ws``: the engine's events pushed to a signed-in client, resumable by sequence number.

The protocol and close codes are in :mod:`tradebot.api.schemas.events`. The socket reads
from its own :class:`~tradebot.service.events.Subscription` of the app's event hub: the
hub never waits for it, and drops it when it falls too far behind (close 4429). It closes
with 4401 when the access token expires, so the client signs in again — a socket never
outlives the token that opened it — and when its user is disabled (or gone): that is
asked again every ``api.ws_ping_s``, as a request would ask it on every call.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from tradebot.api.auth.context import AuthContext, Principal
from tradebot.api.auth.tokens import TokenError
from tradebot.api.deps import principal_of
from tradebot.api.schemas.events import (
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORIZED,
    AuthIn,
    HelloOut,
    PingOut,
    ResetOut,
)
from tradebot.service import Services
from tradebot.service.events import Subscription

__all__ = ["router"]

router = APIRouter()
_REASON_BYTES = 120  # a close reason is at most 123 bytes


class _RefusedError(Exception):
    """The client cannot stay: close with ``code`` and ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@router.websocket("/ws")
async def stream(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    auth: AuthContext = websocket.app.state.auth_context
    api = services.settings.api
    await websocket.accept()
    sub: Subscription | None = None
    try:
        hello = await _authenticate(websocket, auth, api.ws_auth_timeout_s)
        principal, expires_at, since = hello
        backlog, sub = services.events.subscribe(since)
        await _send(websocket, HelloOut(latest=backlog.latest, user=principal.name).model_dump())
        if backlog.reset:
            await _send(websocket, ResetOut(latest=backlog.latest).model_dump())
        for message in backlog.messages:
            await _send(websocket, {"type": "event", **message.to_json()})
        await _follow(websocket, services, sub, auth, principal, expires_at, api.ws_ping_s)
    except _RefusedError as refused:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            reason = refused.reason.encode()[:_REASON_BYTES].decode(errors="ignore")
            await websocket.close(refused.code, reason)
    except WebSocketDisconnect:
        pass
    finally:
        if sub is not None:
            sub.close()


async def _authenticate(
    websocket: WebSocket, auth: AuthContext, timeout_s: float
) -> tuple[Principal, datetime, int | None]:
    """The first message must authenticate the client (module doc of the schemas)."""
    try:
        text = await asyncio.wait_for(websocket.receive_text(), timeout_s)
    except TimeoutError:
        raise _RefusedError(CLOSE_UNAUTHORIZED, f"no auth message within {timeout_s:g} s") from None
    try:
        asked = AuthIn.model_validate_json(text)
    except ValidationError:
        raise _RefusedError(
            CLOSE_UNAUTHORIZED, 'send {"type": "auth", "token": ..., "since": ...} first'
        ) from None
    try:
        claims = auth.tokens.verify(asked.token, auth.now())
        principal = await run_in_threadpool(principal_of, auth, asked.token)
    except TokenError as exc:
        raise _RefusedError(CLOSE_UNAUTHORIZED, f"not signed in: {exc}") from None
    except HTTPException as exc:
        raise _RefusedError(CLOSE_UNAUTHORIZED, str(exc.detail)) from None
    return principal, claims.expires_at, asked.since


async def _follow(
    websocket: WebSocket,
    services: Services,
    sub: Subscription,
    auth: AuthContext,
    principal: Principal,
    expires_at: datetime,
    ping_s: float,
) -> None:
    """Send new events (and pings) until the client leaves, the token expires, the user is
    disabled or the subscription is dropped; the client's own messages are read and
    ignored. The user is looked up again every ``ping_s`` (off the event loop), whether the
    socket was idle (a ping) or busy."""
    loop = asyncio.get_running_loop()
    recheck_at = loop.time() + ping_s
    reader = asyncio.ensure_future(_drain(websocket))
    try:
        while True:
            left = (expires_at - auth.now()).total_seconds()
            if left <= 0:
                raise _RefusedError(CLOSE_UNAUTHORIZED, "the access token expired: sign in again")
            if loop.time() >= recheck_at:
                await _still_active(auth, principal)
                recheck_at = loop.time() + ping_s
            getting = asyncio.ensure_future(sub.get())
            done, _ = await asyncio.wait(
                {getting, reader},
                timeout=min(max(recheck_at - loop.time(), 0.0), left),
                return_when=asyncio.FIRST_COMPLETED,
            )
            if reader in done:  # the client left
                getting.cancel()
                return
            if getting not in done:
                getting.cancel()
                await _still_active(auth, principal)
                recheck_at = loop.time() + ping_s
                await _send(websocket, PingOut(latest=services.events.latest).model_dump())
                continue
            message = getting.result()
            if message is None:
                raise _RefusedError(CLOSE_TOO_SLOW, sub.closed or "dropped")
            await _send(websocket, {"type": "event", **message.to_json()})
    finally:
        reader.cancel()


async def _still_active(auth: AuthContext, principal: Principal) -> None:
    """Close with 4401 when the socket's user was disabled (or removed) since it opened."""
    if await run_in_threadpool(auth.users.active_name, principal.user_id) is None:
        raise _RefusedError(CLOSE_UNAUTHORIZED, "this account is disabled: ask the operator")


async def _drain(websocket: WebSocket) -> None:
    """Read what the client sends until it disconnects."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            await websocket.receive_text()


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(to_json(message, inf_nan_mode="null").decode())
