"""The controls over HTTP on a real hosted engine: a paper replay of AAPL runs in the app's
process, each command goes through the same facade as ``tradebot kill``, is applied by the
kernel and answered with its record; step-up is checked for real with fresh and stale
tokens; a command that no run can take is a 409 line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.engine_setup import Hosted, engine_settings, hosted_app, until
from tradebot.domain.commands import CommandKind, CommandRecord, OperatorCommand
from tradebot.runtime.commands import WAKE_SIGNAL
from tradebot.service.command_log import CommandLog


@pytest.fixture
def hosted(db_path: Path) -> Any:
    with hosted_app(engine_settings(db_path), start=True) as running:
        until(lambda: running.services.host.status().state == "running", "the replay to run")
        yield running


def _post(h: Hosted, path: str, body: object = None, *, fresh: bool = False) -> Any:
    return h.client.post(f"/api/controls/{path}", json=body, headers=h.headers(fresh=fresh))


def _applied(response: Any, kind: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    assert record["kind"] == kind and record["status"] == "applied", record
    assert record["source"] == "api" and record["decided_at"] is not None
    return record


def test_commands_reach_the_hosted_run_with_step_up_where_it_is_due(hosted: Hosted) -> None:
    run_id = hosted.services.host.current_run_id()
    assert run_id is not None

    record = _applied(_post(hosted, "pause"), "pause")
    assert record["run_id"] == run_id
    status = hosted.client.get("/api/controls/status", headers=hosted.headers()).json()
    assert status["state"] == "paused" and status["hosted"] and status["run_id"] == run_id
    _applied(_post(hosted, "resume"), "resume")  # from a pause: no step-up

    _applied(_post(hosted, "kill", {"flatten": False}), "kill")
    assert (
        hosted.client.get("/api/controls/status", headers=hosted.headers()).json()["state"]
        == "killed"
    )
    refused = _post(hosted, "resume")
    assert refused.status_code == 403 and refused.headers["X-Tradebot-Error"] == "step_up_required"
    _applied(_post(hosted, "resume", fresh=True), "resume")

    assert _post(hosted, "flatten").status_code == 403
    assert _post(hosted, "kill", {"flatten": True}).status_code == 403
    _applied(_post(hosted, "kill", {"flatten": True}, fresh=True), "flatten")
    _applied(_post(hosted, "resume", {"run_id": run_id}, fresh=True), "resume")


def test_raising_the_tier_needs_a_fresh_assertion_lowering_does_not(hosted: Hosted) -> None:
    _applied(_post(hosted, "tier", {"tier": "conservative"}), "set_tier")
    shown = hosted.client.get("/api/controls/status", headers=hosted.headers()).json()
    assert shown["tier"] == "conservative"
    assert _post(hosted, "tier", {"tier": "aggressive"}).status_code == 403
    _applied(_post(hosted, "tier", {"tier": "aggressive"}, fresh=True), "set_tier")
    _applied(_post(hosted, "tier", {"tier": "moderate"}), "set_tier")


def test_a_refused_command_is_a_409_line(hosted: Hosted) -> None:
    response = _post(hosted, "close-position", {"symbol": "msft"})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("close_position MSFT refused by run ")
    assert "\n" not in body["detail"]


def test_trading_status_shows_the_engine_and_its_risk(hosted: Hosted) -> None:
    def traded() -> dict[str, Any] | None:
        shown = hosted.client.get("/api/trading/status", headers=hosted.headers()).json()
        return shown if shown["engine"]["last_decision_at"] else None

    shown = until(traded, "a first decision")
    engine = shown["engine"]
    assert engine["state"] == "running" and engine["engine"] == "replay"
    assert engine["mode"] == "paper" and engine["loop_alive"] is True
    assert engine["tier"] in ("conservative", "moderate", "aggressive")
    assert {b["name"] for b in engine["breakers"]} >= {"daily_loss", "volatility", "manual"}
    assert isinstance(engine["equity"], str) and isinstance(engine["active_pool"], str)
    assert engine["feed_fresh"] is None and engine["reconciled"] is None  # a replay
    assert shown["run"]["run_id"] == engine["run_id"] and shown["run"]["state"] == "active"


def test_sigusr1_from_another_shell_wakes_the_run_and_spares_the_server(hosted: Hosted) -> None:
    """``tradebot kill`` signals the run's process; here that is the server's."""
    run_id = hosted.services.host.current_run_id()
    assert run_id is not None
    log = CommandLog(hosted.services.db, hosted.services.settings.store.url)
    command = OperatorCommand(
        id="cmd-from-another-shell",
        kind=CommandKind.PAUSE,
        ts=hosted.auth.now(),
        source="cli",
        run_id=run_id,
    )
    log.post_command(command)
    os.kill(os.getpid(), WAKE_SIGNAL)  # without the host's handler this would end pytest

    def decided() -> CommandRecord | None:
        record = log.command_record(command.id)
        return record if record is not None and record.status.final else None

    record = until(decided, "the signalled command's outcome")
    assert record.outcome.startswith("paused")


def test_no_run_to_take_a_command_is_409_and_the_status_says_stopped(
    client: TestClient, headers: dict[str, str]
) -> None:
    status = client.get("/api/controls/status", headers=headers)
    assert status.status_code == 200 and status.json()["state"] == "stopped"
    for path, body in (
        ("pause", None),
        ("kill", {"flatten": False}),
        ("tier", {"tier": "conservative"}),
    ):
        response = client.post(f"/api/controls/{path}", json=body, headers=headers)
        assert response.status_code == 409, response.text
        assert response.json()["detail"] == "no paper or live run is running"


def test_an_unknown_run_is_named(
    client: TestClient, headers: dict[str, str], seeded_run: str
) -> None:
    response = client.post("/api/controls/pause", json={"run_id": "paper-nope"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "no run 'paper-nope' in the database"
    response = client.post("/api/controls/pause", json={"run_id": seeded_run}, headers=headers)
    assert response.status_code == 409
    assert "commands reach paper and live runs only" in response.json()["detail"]


def test_go_live_needs_step_up_and_a_server_configured_for_it(
    client: TestClient, headers: dict[str, str], fresh_headers: dict[str, str]
) -> None:
    body = {"broker": "alpaca", "confirm": "LIVE"}
    assert client.post("/api/controls/go-live", json=body, headers=headers).status_code == 403
    refused = client.post("/api/controls/go-live", json=body, headers=fresh_headers)
    assert refused.status_code == 409
    assert "live trading is off" in refused.json()["detail"]
    unconfirmed = client.post(
        "/api/controls/go-live", json={"broker": "alpaca", "confirm": "yes"}, headers=fresh_headers
    )
    assert unconfirmed.status_code == 422


def test_controls_need_a_token(client: TestClient) -> None:
    assert client.get("/api/trading/status").status_code == 401
    assert client.post("/api/controls/pause").status_code == 401


def test_the_command_rows_record_who_sent_it(hosted: Hosted) -> None:
    record = _applied(_post(hosted, "pause"), "pause")
    with hosted.services.db.connect() as connection:
        note, source = connection.execute(
            text("select note, source from operator_commands where id = :id"), {"id": record["id"]}
        ).one()
    assert (note, source) == ("alice", "api")


def test_go_live_starts_a_live_session_whose_failure_is_shown(db_path: Path) -> None:
    """A server set for live waits for the operator (ready meanwhile); going live on
    Alpaca without its keys (or its SDK) fails in one line, and the API goes on."""
    with hosted_app(engine_settings(db_path, engine="live"), start=True) as hosted:
        idle = hosted.client.get("/api/trading/status", headers=hosted.headers()).json()
        assert idle["engine"]["state"] == "idle" and "go-live" in idle["engine"]["reason"]
        assert hosted.client.get("/ready").status_code == 200
        body = {"broker": "alpaca", "confirm": "LIVE"}
        started = hosted.client.post(
            "/api/controls/go-live", json=body, headers=hosted.headers(fresh=True)
        )
        assert started.status_code == 202, started.text
        assert started.json()["state"] in ("starting", "failed")

        def failed() -> dict[str, Any] | None:
            shown = hosted.client.get("/api/trading/status", headers=hosted.headers()).json()
            engine: dict[str, Any] = shown["engine"]
            return engine if engine["state"] == "failed" else None

        engine = until(failed, "the live session to fail")
        ready = hosted.client.get("/ready")
    assert engine["reason"] and "\n" not in engine["reason"]
    assert ready.status_code == 503 and ready.json()["reasons"] == [
        f"engine failed: {engine['reason']}"
    ]
