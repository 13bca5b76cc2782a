"""``/ws`` through the real app: the first message must authenticate (a real token checked
for real), a client resumes from the sequence number it last saw or is told to reset, the
stream is in sequence order, the token's expiry closes the socket, and a fill made by the
hosted engine's replay reaches the client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.api.engine_setup import Hosted, engine_settings, hosted_app
from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.auth_rows import AuthRows
from tradebot.api.schemas.events import CLOSE_UNAUTHORIZED


@pytest.fixture
def app_only(db_path: Path) -> Iterator[Hosted]:
    """The app with its engine idle (events are published through the hub by the test)."""
    settings = engine_settings(db_path, event_buffer=100, ws_auth_timeout_s=0.5)
    with hosted_app(settings) as hosted:
        yield hosted


def _auth(ws: WebSocketTestSession, token: str, since: int | None = None) -> dict[str, Any]:
    ws.send_json({"type": "auth", "token": token, "since": since})
    hello: dict[str, Any] = ws.receive_json()
    assert hello["type"] == "hello" and hello["user"] == "alice"
    return hello


def _next_event(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next event, skipping keepalive pings (they come every 0.2 s)."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message["type"] != "ping":
            return message


def _closed_with(ws: WebSocketTestSession) -> WebSocketDisconnect:
    """How the server closed the socket (pings until then are skipped)."""
    for _ in range(1000):
        try:
            ws.receive_json()
        except WebSocketDisconnect as closed:
            return closed
    raise AssertionError("the socket stayed open")


@pytest.mark.parametrize(
    "first",
    [
        {"type": "auth", "token": "not-a-jwt", "since": None},
        {"type": "hello"},
        {"type": "auth", "token": "", "since": None},
    ],
)
def test_a_bad_first_message_closes_with_4401(app_only: Hosted, first: dict[str, Any]) -> None:
    with app_only.client.websocket_connect("/ws") as ws:
        ws.send_json(first)
        closed = _closed_with(ws)
    assert closed.code == CLOSE_UNAUTHORIZED and closed.reason


def test_a_token_of_another_key_is_refused(app_only: Hosted) -> None:
    from tradebot.api.auth.tokens import TokenIssuer

    forged = TokenIssuer("another-secret-" + "y" * 40, timedelta(minutes=15)).issue(
        app_only.user.id, app_only.auth.now()
    )
    with app_only.client.websocket_connect("/ws") as ws:
        ws.send_json({"type": "auth", "token": forged, "since": None})
        closed = _closed_with(ws)
    assert closed.code == CLOSE_UNAUTHORIZED and "signature" in closed.reason


def test_no_auth_message_in_time_closes_with_4401(app_only: Hosted) -> None:
    with app_only.client.websocket_connect("/ws") as ws:
        closed = _closed_with(ws)
    assert closed.code == CLOSE_UNAUTHORIZED and "no auth message" in closed.reason


def test_resume_sends_what_was_missed_then_the_stream_in_order(app_only: Hosted) -> None:
    hub = app_only.services.events
    first = [hub.publish("fill", {"n": n}, run_id="paper-x").seq for n in range(5)]
    with app_only.client.websocket_connect("/ws") as ws:
        hello = _auth(ws, app_only.token(), since=first[1])
        assert hello["latest"] == first[-1]
        missed = [_next_event(ws) for _ in range(3)]
        assert [m["seq"] for m in missed] == first[2:]
        assert [m["data"]["n"] for m in missed] == [2, 3, 4]
        assert {m["kind"] for m in missed} == {"fill"} and missed[0]["run_id"] == "paper-x"
        later = [hub.publish("order", {"n": n}).seq for n in range(5, 8)]
        streamed = [_next_event(ws) for _ in range(3)]
    assert [m["seq"] for m in streamed] == later
    assert all(m["type"] == "event" and m["kind"] == "order" for m in streamed)


def test_too_old_or_unknown_since_says_reset(app_only: Hosted) -> None:
    hub = app_only.services.events
    for n in range(150):  # the buffer keeps 100
        hub.publish("signal", {"n": n})
    for since in (1, hub.latest + 10):
        with app_only.client.websocket_connect("/ws") as ws:
            _auth(ws, app_only.token(), since=since)
            assert _next_event(ws) == {"type": "reset", "latest": hub.latest}
            hub.publish("status", {"n": "after"})
            assert _next_event(ws)["data"] == {"n": "after"}


def test_without_since_only_new_messages_come(app_only: Hosted) -> None:
    hub = app_only.services.events
    hub.publish("news", {"old": True})
    with app_only.client.websocket_connect("/ws") as ws:
        _auth(ws, app_only.token())
        hub.publish("news", {"old": False})
        assert _next_event(ws)["data"] == {"old": False}


def test_the_token_expiry_closes_the_socket(app_only: Hosted) -> None:
    token = app_only.token(ttl_left=timedelta(seconds=2))
    with app_only.client.websocket_connect("/ws") as ws:
        _auth(ws, token)
        closed = _closed_with(ws)
    assert closed.code == CLOSE_UNAUTHORIZED and "expired" in closed.reason


def test_a_fill_of_the_hosted_replay_reaches_the_client(db_path: Path) -> None:
    settings = engine_settings(db_path, replay_speed=2_000_000)
    with hosted_app(settings) as hosted, hosted.client.websocket_connect("/ws") as ws:
        _auth(ws, hosted.token())
        hosted.services.host.start()
        seen = [_next_event(ws)]
        deadline = time.monotonic() + 60
        while seen[-1]["kind"] != "fill":
            assert time.monotonic() < deadline, "no fill on /ws within 60 s"
            seen.append(_next_event(ws))
        fill = seen[-1]
        run_id = hosted.services.host.current_run_id()
    assert fill["run_id"] == run_id and fill["data"]["symbol"] == "AAPL"
    assert isinstance(fill["data"]["price"], str) and fill["data"]["ts"].endswith("Z")
    seqs = [m["seq"] for m in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    kinds = {m["kind"] for m in seen}
    assert {"status", "portfolio", "order", "fill"} <= kinds
    starting = [m for m in seen if m["kind"] == "status"]
    assert starting[0]["data"]["state"] == "starting"


def _closed_within(
    ws: WebSocketTestSession, seconds: float, busy: Hosted | None = None
) -> WebSocketDisconnect:
    """How the server closed the socket within ``seconds`` (with ``busy``, an event is
    published through its hub before each read: the socket is never idle)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if busy is not None:
            busy.services.events.publish("order", {"n": "busy"})
        try:
            ws.receive_json()
        except WebSocketDisconnect as closed:
            return closed
    raise AssertionError(f"the socket stayed open for {seconds:g} s")


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_a_user_disabled_mid_stream_is_closed_within_a_ping(app_only: Hosted, busy: bool) -> None:
    """The user is asked again every ``api.ws_ping_s`` (0.2 s here), idle or busy: a
    disabled user's socket closes long before the token that opened it expires."""
    with app_only.client.websocket_connect("/ws") as ws:
        _auth(ws, app_only.token())
        assert ws.receive_json()["type"] == "ping"  # open, and asked once already
        AuthRows(app_only.services.db).set_disabled(app_only.user.id, True, utc_now())
        closed = _closed_within(ws, 10.0, app_only if busy else None)
    assert closed.code == CLOSE_UNAUTHORIZED and "disabled" in closed.reason
