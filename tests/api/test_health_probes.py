"""``/health`` and ``/ready``: public, and ready only when what they check holds — the store
answers; with an engine asked to run, its loop turns; a failed engine is a 503 with its
one-line reason while the API itself stays up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.engine_setup import engine_settings, hosted_app, until
from tradebot.adapters.clock import monotonic
from tradebot.ops.resilience import SERVICE_BOARD, ServiceBoard
from tradebot.service import Services
from tradebot.service.engine_status import EngineStatus
from tradebot.service.readiness import readiness


def test_health_is_public(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_ready_with_no_engine_counts_the_store_only(client: TestClient) -> None:
    response = client.get("/ready")
    assert response.status_code == 200
    body = response.json()
    services = body.pop("services")  # the process's breakers, whatever other tests left
    assert set(services.values()) <= {"closed", "half_open", "open"}
    assert body == {
        "ready": True,
        "reasons": [],
        "checks": {"store": True, "loop": None, "reconciled": None, "feed": None},
    }


def test_ready_follows_the_hosted_replay(db_path: Path) -> None:
    with hosted_app(engine_settings(db_path), start=True) as hosted:

        def answer() -> Any:
            response = hosted.client.get("/ready")
            return response if response.status_code == 200 else None

        ready = until(answer, "/ready to say ready").json()
        assert ready["checks"] == {"store": True, "loop": True, "reconciled": None, "feed": None}
        hosted.services.host.stop()
        stopped = hosted.client.get("/ready")
    assert stopped.status_code == 503
    body = stopped.json()
    assert body["ready"] is False and body["checks"]["loop"] is False
    assert body["reasons"] == ["engine stopped: the run ended stopped"]


def test_a_failed_engine_is_not_ready_and_the_api_goes_on(db_path: Path) -> None:
    """A paper session on Alpaca without its keys (or its SDK) fails to open."""
    settings = engine_settings(db_path, engine="paper", broker="alpaca")
    with hosted_app(settings, start=True) as hosted:

        def failed() -> EngineStatus | None:
            status = hosted.services.host.status()
            return status if status.state == "failed" else None

        status = until(failed, "the engine to fail")
        response = hosted.client.get("/ready")
        shown = hosted.client.get("/api/trading/status", headers=hosted.headers()).json()
    assert status.reason and "\n" not in status.reason
    assert response.status_code == 503
    assert response.json()["reasons"] == [f"engine failed: {status.reason}"]
    assert shown["engine"]["state"] == "failed" and shown["engine"]["reason"] == status.reason


def test_an_open_circuit_makes_a_running_server_not_ready_until_it_closes(db_path: Path) -> None:
    """The route reports the process's own board (the one the engine's adapters trip)."""
    service = "probe-test-venue"
    SERVICE_BOARD.use_clock(monotonic)  # as the composition root does
    breaker = SERVICE_BOARD.breaker(service, failure_threshold=1, recovery_s=600.0)
    with hosted_app(engine_settings(db_path), start=True) as hosted:

        def answer() -> Any:
            response = hosted.client.get("/ready")
            return response if response.status_code == 200 else None

        ready = until(answer, "/ready to say ready").json()
        assert ready["services"][service] == "closed"
        try:
            breaker.failed("HTTP 503 from https://user:hunter2@venue.example/v2/account")
            tripped = hosted.client.get("/ready")
        finally:
            breaker.succeeded()
        again = until(answer, "/ready to say ready again")
        hosted.services.host.stop()
    assert tripped.status_code == 503
    body = tripped.json()
    assert body["services"][service] == "open"
    (reason,) = [r for r in body["reasons"] if r.startswith(service)]
    assert reason.startswith(f"{service} unavailable: HTTP 503 from https://user:")
    assert re.search(r"\(circuit open; next trial in \d+ s\)$", reason) and "hunter2" not in reason
    assert again.json()["services"][service] == "closed"


def test_readiness_reports_the_board_it_is_given(services: Services) -> None:
    """Each breaker's state; an idle server (no engine asked for) is not held back by one."""
    board = ServiceBoard(now=lambda: 0.0, failure_threshold=1)
    board.breaker("alpaca")
    board.breaker("telegram").failed("429 Too Many Requests")
    found = readiness(services.db, services.host, board)
    assert found.services == {"alpaca": "closed", "telegram": "open"}
    assert found.ready and found.reasons == ()
