"""A resume that would lift a kill needs a fresh passkey assertion even while that kill is
still on its way to the run (written, not yet taken): checking only what the run applied
would let a resume sent right behind a kill undo it without one."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.store import SqlStore
from tradebot.api.deps import STEP_UP_REQUIRED
from tradebot.config import Settings
from tradebot.domain.commands import CommandKind, OperatorCommand
from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.run import RunInfo
from tradebot.service import Services

RUN = "paper-elsewhere"


def _running_elsewhere(settings: Settings) -> SqlStore:
    """A paper run driven by a store of its own (as another process's would be)."""
    store = SqlStore(settings.store.url)
    store.start_run(
        RunInfo(
            id=RUN,
            mode=Mode.PAPER,
            started_at=datetime(2026, 1, 2, tzinfo=UTC),
            strategy="momentum",
            symbols=("AAPL",),
            timeframe=Timeframe.D1,
        )
    )
    return store


def test_a_resume_behind_a_pending_kill_needs_a_fresh_assertion(
    client: TestClient, headers: dict[str, str], services: Services, settings: Settings
) -> None:
    store = _running_elsewhere(settings)
    try:
        assert services.controls.resume_lifts_a_kill(RUN) is False  # a resume lifts a pause
        kill = OperatorCommand(
            id="cmd-kill-on-its-way", kind=CommandKind.KILL, ts=utc_now(), source="cli", run_id=RUN
        )
        store.post_command(kill)
        assert services.controls.resume_lifts_a_kill(RUN) is True
        response = client.post("/api/controls/resume", json={"run_id": RUN}, headers=headers)
        assert response.status_code == 403, response.text
        assert response.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED
    finally:
        store.close()
