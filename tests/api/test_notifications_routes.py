"""``/api/trading/notifications``: the settings (changed through the audited config
service, in the same trail) and the history of notifications with its filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.api.reads_support import get, get_all, when
from tradebot.service import Services

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def test_notification_routes_need_a_token(client: TestClient) -> None:
    for method, path in [
        ("GET", "/api/trading/notifications/config"),
        ("PUT", "/api/trading/notifications/config"),
        ("GET", "/api/trading/notifications/history"),
    ]:
        assert client.request(method, path, json={}).status_code == 401


def test_settings_are_read_and_changed_with_an_audit(
    client: TestClient, headers: dict[str, str], fresh_headers: dict[str, str], services: Services
) -> None:
    shown = get(client, headers, "/api/trading/notifications/config")
    assert shown["channels"] == ["log"] and shown["large_trade_pnl"] == "1000"
    body = {
        "telegram_per_hour": 5,
        "channels": ["log", "telegram"],
        "daily_summary_at": None,
        "large_trade_pnl": "2500.50",
        "reason": "quieter",
    }
    stale = client.put("/api/trading/notifications/config", json=body, headers=headers)
    assert stale.status_code == 403  # silencing alerts is how a thief would start
    response = client.put("/api/trading/notifications/config", json=body, headers=fresh_headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["settings"]["telegram_per_hour"] == 5
    assert answer["settings"]["daily_summary_at"] is None
    assert answer["settings"]["large_trade_pnl"] == "2500.50"
    assert sorted(c["path"] for c in answer["changes"]) == [
        "notifications.channels",
        "notifications.daily_summary_at",
        "notifications.large_trade_pnl",
        "notifications.telegram_per_hour",
    ]
    assert {c["reason"] for c in answer["changes"]} == {"quieter"}
    assert services.notifications.settings().channels == ("log", "telegram")
    assert get(client, headers, "/api/trading/notifications/config") == answer["settings"]
    audit = get(client, headers, "/api/trading/config/audit", path_prefix="notifications.")
    assert audit["total"] == 4


def test_bad_settings_are_refused_and_nothing_changes(
    client: TestClient, fresh_headers: dict[str, str], services: Services
) -> None:
    before = services.notifications.settings()
    for body, code, named in [
        ({"telegram_per_hour": 5000}, 400, "notifications.telegram_per_hour"),
        ({"daily_summary_at": "25:00"}, 400, "notifications.daily_summary_at"),
        ({"email_per_hour": 3, "telegram_per_hour": -1}, 400, "notifications.telegram_per_hour"),
        ({}, 400, "no changes"),
        ({"channels": ["sms"]}, 422, "channels"),
        ({"colour": "red"}, 422, "colour"),
    ]:
        response = client.put("/api/trading/notifications/config", json=body, headers=fresh_headers)
        assert response.status_code == code, (body, response.text)
        assert named in response.text
    assert services.notifications.settings() == before


def _record(services: Services) -> None:
    for i, (channel, event, status, run) in enumerate(
        [
            ("log", "trade.closed", "sent", "run-a"),
            ("telegram", "trade.closed", "sent", "run-a"),
            ("telegram", "breaker.tripped", "rate_limited", "run-a"),
            ("email", "daily.summary", "failed", None),
            ("telegram", "trade.closed", "sent", "run-b"),
        ]
    ):
        services.notifications.record(
            channel=channel,
            event=event,
            severity="info",
            title=f"note {i}",
            body="…",
            status=status,
            error="smtp refused" if status == "failed" else None,
            run_id=run,
            ts=T0 + timedelta(minutes=i),
        )


def test_history_is_newest_first_with_filters(
    client: TestClient, headers: dict[str, str], services: Services
) -> None:
    _record(services)
    every = get_all(client, headers, "/api/trading/notifications/history", limit=2)
    assert [n["title"] for n in every] == [f"note {i}" for i in (4, 3, 2, 1, 0)]
    telegram = get_all(client, headers, "/api/trading/notifications/history", channel="telegram")
    assert [n["title"] for n in telegram] == ["note 4", "note 2", "note 1"]
    closed = get(
        client, headers, "/api/trading/notifications/history", event="trade.closed", run_id="run-a"
    )
    assert closed["total"] == 2
    failed = get(client, headers, "/api/trading/notifications/history", status="failed")
    (item,) = failed["items"]
    assert item["error"] == "smtp refused" and item["run_id"] is None
    assert when(item["ts"]) == T0 + timedelta(minutes=3)
    window = get(
        client,
        headers,
        "/api/trading/notifications/history",
        start=(T0 + timedelta(minutes=1)).isoformat(),
        end=(T0 + timedelta(minutes=2)).isoformat(),
    )
    assert [n["title"] for n in window["items"]] == ["note 2", "note 1"]
    bad = client.get(
        "/api/trading/notifications/history", params={"channel": "a b"}, headers=headers
    )
    assert bad.status_code == 422
