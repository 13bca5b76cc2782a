"""``POST /api/controls/start`` on a real engine host, and the micro-trading panel of
``GET /api/trading/status``: an idle replay server starts its engine on request (once: a
second start while it runs is a 409 line, as is a start on a server without an engine),
and the panel shows the micro caps in effect with the use the run shown has made of them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET
from tests.api.engine_setup import engine_settings, hosted_app, until
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings, load_settings
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.risk.state import RiskState
from tradebot.risk.stops import StopLevels

NOW = datetime(2015, 7, 1, 14, tzinfo=UTC)


def _one_line_409(response: Any) -> dict[str, Any]:
    assert response.status_code == 409, response.text
    body: dict[str, Any] = response.json()
    assert "\n" not in body["detail"] and body["hint"]
    return body


def test_a_start_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.post("/api/controls/start").status_code == 401


def test_without_an_engine_a_start_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    body = _one_line_409(client.post("/api/controls/start", headers=headers))
    assert "api.engine none" in body["detail"] and "replay or paper" in body["hint"]


def test_a_live_server_starts_only_through_go_live(db_path: Path) -> None:
    with hosted_app(engine_settings(db_path, engine="live")) as h:
        body = _one_line_409(h.client.post("/api/controls/start", headers=h.headers()))
        assert "go-live" in body["hint"]
        assert h.services.host.status().state == "idle"


def test_an_idle_replay_starts_once(db_path: Path) -> None:
    with hosted_app(engine_settings(db_path)) as h:
        assert h.services.host.status().state == "idle"  # the test app starts nothing itself
        started = h.client.post("/api/controls/start", headers=h.headers())
        assert started.status_code == 202, started.text
        assert started.json()["state"] in ("starting", "running")
        assert started.json()["engine"] == "replay"

        def running() -> dict[str, Any] | None:
            shown = h.client.get("/api/trading/status", headers=h.headers()).json()
            # the run's row reaches the database with the store's first flush
            return (
                shown if shown["engine"]["state"] == "running" and shown["run"]["hosted"] else None
            )

        shown = until(running, "the started replay to run")
        assert shown["run"]["run_id"] == shown["engine"]["run_id"]
        again = _one_line_409(h.client.post("/api/controls/start", headers=h.headers()))
        assert "already" in again["detail"]
        assert h.services.host.status().run_id == shown["engine"]["run_id"]  # still that one


def test_the_micro_panel_shows_the_caps_in_effect(
    client: TestClient, headers: dict[str, str]
) -> None:
    micro = client.get("/api/trading/status", headers=headers).json()["micro"]
    assert micro == {
        "enabled": False,
        "max_daily": 10,
        "used_today": None,
        "allocation_cap_pct": "0.03",
        "max_hold_minutes": 120.0,
        "open_micro_positions": 0,
    }


def _micro_rules(db_path: Path, engine: str = "none") -> Settings:
    """``engine_settings`` with micro trading on: four a day, held 45 minutes at most."""
    return load_settings(
        store={"url": f"sqlite:///{db_path}"},
        api={
            "jwt_secret": TEST_SECRET,
            "engine": engine,
            "symbols": ["AAPL"],
            "replay_speed": 1_000_000,
            "read_cache_ms": 0,
        },
        news={"enabled": False},
        risk={"rules": {"micro": {"enabled": True, "max_daily": 4, "max_hold": "PT45M"}}},
    )


def test_a_run_of_another_process_shows_its_saved_micro_positions(db_path: Path) -> None:
    store = SqlStore(f"sqlite:///{db_path}")
    try:
        store.start_run(
            RunInfo(
                id="paper-elsewhere",
                mode=Mode.PAPER,
                started_at=NOW,
                strategy="momentum",
                symbols=("AAPL", "MSFT"),
                timeframe=Timeframe.M5,
            )
        )
        store.save_positions(
            "paper-elsewhere",
            [
                Position("AAPL", Decimal(2), Decimal(100), NOW, "dec-a", last_price=Decimal(101)),
                Position("MSFT", Decimal(2), Decimal(50), NOW, "dec-m", last_price=Decimal(51)),
            ],
        )
        levels = StopLevels(
            "AAPL",
            Decimal(100),
            Decimal(99),
            Decimal("101.5"),
            1.0,
            Decimal(1),
            Decimal("1.5"),
            Decimal("0.01"),
            0.6,
            True,
            NOW,
            NOW,
        )
        store.save_risk_state("paper-elsewhere", NOW, RiskState(stops={"AAPL": levels}).to_dict())
        store.flush()
    finally:
        store.close()
    with hosted_app(_micro_rules(db_path)) as h:
        shown = h.client.get("/api/trading/status", headers=h.headers()).json()
    assert shown["run"]["run_id"] == "paper-elsewhere" and shown["run"]["hosted"] is False
    assert shown["micro"] == {
        "enabled": True,
        "max_daily": 4,
        "used_today": None,  # only the run's own kernel knows its day
        "allocation_cap_pct": "0.03",
        "max_hold_minutes": 45.0,
        "open_micro_positions": 1,
    }


def test_the_hosted_engine_reports_its_micro_use(db_path: Path) -> None:
    with hosted_app(_micro_rules(db_path, "replay"), start=True) as h:

        def with_view() -> dict[str, Any] | None:
            shown = h.client.get("/api/trading/status", headers=h.headers()).json()
            clocked = shown["engine"]["as_of"] is not None
            return shown if clocked and shown["run"]["hosted"] else None

        shown = until(with_view, "the hosted engine's first view with a clock")
    micro = shown["micro"]
    assert shown["run"]["run_id"] == shown["engine"]["run_id"]
    assert micro["enabled"] is True and micro["max_daily"] == 4
    assert isinstance(micro["used_today"], int) and 0 <= micro["used_today"] <= 4
    assert micro["open_micro_positions"] >= 0
