"""A ``risk.tier`` changed through the audited settings reaches the running engine at once
(the same command as ``POST /api/controls/tier``), after the same fresh passkey assertion
every risk change needs; the change and the command both say who made them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.api.engine_setup import Hosted, engine_settings, hosted_app, until


@pytest.fixture
def hosted(db_path: Path) -> Any:
    with hosted_app(engine_settings(db_path), start=True) as running:
        until(lambda: running.services.host.status().state == "running", "the replay to run")
        yield running


def _tier(hosted: Hosted) -> str | None:
    shown = hosted.client.get("/api/controls/status", headers=hosted.headers()).json()
    tier: str | None = shown["tier"]
    return tier


def _put(hosted: Hosted, tier: str, *, fresh: bool) -> Any:
    body = {"changes": {"risk.tier": tier}, "reason": "test"}
    return hosted.client.put("/api/trading/config", json=body, headers=hosted.headers(fresh=fresh))


def test_a_new_tier_in_the_settings_reaches_the_running_engine(hosted: Hosted) -> None:
    assert _put(hosted, "conservative", fresh=False).status_code == 403
    assert _put(hosted, "conservative", fresh=True).status_code == 200
    until(lambda: _tier(hosted) == "conservative", "the engine to take the tier")
    assert _put(hosted, "aggressive", fresh=True).status_code == 200
    until(lambda: _tier(hosted) == "aggressive", "the engine to take the new tier")
    assert hosted.services.config.effective().risk.tier == "aggressive"
    run_id = hosted.services.host.current_run_id()
    with hosted.services.db.connect() as connection:
        sent = connection.execute(
            text(
                "select tier, source, status from operator_commands "
                "where run_id = :run and kind = 'set_tier' order by issued_at"
            ),
            {"run": run_id},
        ).all()
    assert [tuple(row) for row in sent] == [
        ("conservative", "api", "applied"),
        ("aggressive", "api", "applied"),
    ]
    audit = hosted.client.get(
        "/api/trading/config/audit?path_prefix=risk.tier", headers=hosted.headers()
    ).json()
    assert [row["actor"] for row in audit["items"]] == ["alice", "alice"]
