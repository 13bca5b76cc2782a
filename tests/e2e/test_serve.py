"""``tradebot serve`` as a user runs it: a process on a free port and a new database. It
answers, says setup is required, prints a setup code that starts a registration (and a
software passkey finishes it), and stops cleanly on Ctrl-C (SIGINT) with exit code 0."""

from __future__ import annotations

import json
import re
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.optional import require

require("fastapi")
require("uvicorn")
require("webauthn")

import httpx  # noqa: E402

from tests.e2e.served import CODE, DEADLINE_S, Served  # noqa: E402
from tradebot.testing.webauthn import SoftAuthenticator  # noqa: E402


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path / "serve.db", tmp_path)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=30)


def _register(served: Served, client: httpx.Client) -> str:
    """The first user, registered with the printed setup code; their access token."""
    origin = f"http://localhost:{served.port}"
    code = served.wait_for_line(CODE).group(1)
    body = {"name": "alice", "display_name": "Alice", "code": code}
    begun = client.post("/api/auth/register/begin", json=body).json()
    credential = SoftAuthenticator(origin=origin).create(begun["options"])
    done = client.post(
        "/api/auth/register/complete",
        json={"ceremony_id": begun["ceremony_id"], "credential": credential},
    )
    assert done.status_code == 200, done.text
    token: str = done.json()["access_token"]
    return token


def test_serve_hosts_the_replay_and_pushes_its_events_over_ws(tmp_path: Path) -> None:
    """The default engine in a real server process: the paper replay runs beside the API,
    its status is served, a signed-in /ws client receives its events in sequence, and
    Ctrl-C stops both, the run recorded as stopped."""
    from websockets.sync.client import connect

    env = {
        "TRADEBOT_API__SYMBOLS": '["AAPL"]',
        "TRADEBOT_API__REPLAY_SPEED": "1000000",
        "TRADEBOT_NEWS__ENABLED": "false",
    }
    served = Served(tmp_path / "serve.db", tmp_path, engine="replay", env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as client:
            served.wait_until_answering(client)
            headers = {"Authorization": f"Bearer {_register(served, client)}"}
            with connect(f"ws://127.0.0.1:{served.port}/ws", open_timeout=DEADLINE_S) as ws:
                ws.send(json.dumps({"type": "auth", "token": headers["Authorization"][7:]}))
                assert json.loads(ws.recv(timeout=DEADLINE_S))["type"] == "hello"
                kinds, seqs = set(), []
                while not {"decision", "portfolio"} <= kinds:
                    message = json.loads(ws.recv(timeout=DEADLINE_S))
                    if message["type"] == "event":
                        kinds.add(message["kind"])
                        seqs.append(message["seq"])
                assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
            status = client.get("/api/trading/status", headers=headers).json()["engine"]
            assert status["state"] == "running" and status["engine"] == "replay"
            run_id = status["run_id"]
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=DEADLINE_S) == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=30)
    with sqlite3.connect(tmp_path / "serve.db") as db:
        (recorded,) = db.execute("select status from backtest_runs where id = ?", (run_id,))
    assert recorded == ("stopped",)


def test_serve_prints_a_setup_code_that_registers_the_first_user_and_stops_on_ctrl_c(
    served: Served,
) -> None:
    origin = f"http://localhost:{served.port}"
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as client:
        status = served.wait_until_answering(client)
        assert status.status_code == 200
        assert status.json()["setup_required"] is True
        assert status.json()["origin"] == origin  # the default origin follows --port
        code = served.wait_for_line(CODE).group(1)

        wrong = {"name": "alice", "display_name": "Alice", "code": "AAAA-AAAA-AAAA-AAAA"}
        assert client.post("/api/auth/register/begin", json=wrong).status_code == 403
        body = {"name": "alice", "display_name": "Alice", "code": code}
        begun = client.post("/api/auth/register/begin", json=body)
        assert begun.status_code == 200, begun.text
        key = SoftAuthenticator(origin=origin)
        credential = key.create(begun.json()["options"])
        done = client.post(
            "/api/auth/register/complete",
            json={"ceremony_id": begun.json()["ceremony_id"], "credential": credential},
        )
        assert done.status_code == 200, done.text
        assert client.get("/api/auth/status").json()["setup_required"] is False

    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(timeout=DEADLINE_S) == 0
    served.wait_for_line(re.compile(r"^stopped"))
    assert sum(code in line for line in served.seen) == 1  # printed once, logged nowhere


def _spoofed_statuses(served: Served, count: int) -> list[int]:
    """``/api/auth/status`` asked ``count`` times, each claiming another client address."""
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as client:
        assert served.wait_until_answering(client).status_code == 200  # spends the one token
        return [
            client.get(
                "/api/auth/status", headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(1, count + 1)
        ]


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(None, 429), ('["127.0.0.1"]', 200)],
    ids=["no-proxy-trusted", "local-proxy-trusted"],
)
def test_a_spoofed_x_forwarded_for_does_not_escape_the_auth_rate_limit(
    tmp_path: Path, proxies: str | None, expected: int
) -> None:
    """The rate limit keys on the socket's peer: a caller rotating X-Forwarded-For is
    still one client (uvicorn would believe the header from 127.0.0.1 unless told not to).
    Only with ``api.trusted_proxies`` naming the peer is the header believed."""
    env = {"TRADEBOT_API__AUTH_RATE_PER_MINUTE": "1"}
    if proxies is not None:
        env["TRADEBOT_API__TRUSTED_PROXIES"] = proxies
    served = Served(tmp_path / "serve.db", tmp_path, env=env)
    try:
        assert _spoofed_statuses(served, 5) == [expected] * 5
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=DEADLINE_S) == 0
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=30)
