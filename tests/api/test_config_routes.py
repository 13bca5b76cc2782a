"""``/api/trading/config``: the settings in effect with every secret masked; a change by
dotted path, refused in one line when unknown, secret or bad, audited with who made it;
risk, api and broker changes only with a fresh passkey assertion."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import TEST_SECRET
from tests.api.reads_support import get
from tradebot.adapters.sql.auth_rows import UserRecord
from tradebot.api.deps import STEP_UP_REQUIRED
from tradebot.service import Services


def test_the_settings_are_shown_with_secrets_masked(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/api/trading/config", headers=headers)
    assert response.status_code == 200
    settings = response.json()["settings"]
    assert settings["api"]["jwt_secret"] == "**********"
    assert TEST_SECRET not in response.text
    assert settings["risk"]["engine"] == "autonomous"
    assert settings["notifications"]["channels"] == ["log"]


def test_a_risk_change_needs_a_fresh_passkey_assertion(
    client: TestClient, headers: dict[str, str], fresh_headers: dict[str, str], user: UserRecord
) -> None:
    body = {"changes": {"risk.max_open_positions": 4}, "reason": "fewer at once"}
    refused = client.put("/api/trading/config", json=body, headers=headers)
    assert refused.status_code == 403
    assert refused.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED
    assert get(client, headers, "/api/trading/config/audit")["total"] == 0
    made = client.put("/api/trading/config", json=body, headers=fresh_headers)
    assert made.status_code == 200, made.text
    (change,) = made.json()["changes"]
    assert change["path"] == "risk.max_open_positions"
    assert (change["previous"], change["new"]) == (None, 4)
    assert (change["actor"], change["source"], change["reason"]) == (
        user.name,
        "api",
        "fewer at once",
    )
    shown = get(client, headers, "/api/trading/config")["settings"]
    assert shown["risk"]["max_open_positions"] == 4
    audit = get(client, headers, "/api/trading/config/audit")
    assert audit["total"] == 1 and audit["items"][0] == change


def test_every_change_needs_a_fresh_assertion_and_is_audited_once(
    client: TestClient, headers: dict[str, str], fresh_headers: dict[str, str], services: Services
) -> None:
    body = {"changes": {"learning.policy": "exp3", "notifications.weekly_digest": False}}
    refused = client.put("/api/trading/config", json=body, headers=headers)
    assert refused.status_code == 403  # notifications off would hide what a thief does
    assert refused.headers["X-Tradebot-Error"] == STEP_UP_REQUIRED
    made = client.put("/api/trading/config", json=body, headers=fresh_headers)
    assert made.status_code == 200, made.text
    assert sorted(c["path"] for c in made.json()["changes"]) == [
        "learning.policy",
        "notifications.weekly_digest",
    ]
    assert services.config.effective().learning.policy == "exp3"
    again = client.put("/api/trading/config", json=body, headers=fresh_headers)
    assert again.json()["changes"] == []  # already in effect: nothing to audit
    risky = client.put(
        "/api/trading/config/audit", json=body, headers=headers
    )  # the audit is read-only
    assert risky.status_code == 405
    prefix = get(client, headers, "/api/trading/config/audit", path_prefix="learning")
    assert [c["path"] for c in prefix["items"]] == ["learning.policy"]


def test_code_keys_and_addresses_stay_with_the_operator(
    client: TestClient, fresh_headers: dict[str, str], services: Services, tmp_path: Path
) -> None:
    """Even with a fresh assertion, nothing makes the server run code from a folder, send
    its venue keys to another host, or fetch from an address of the caller's choosing."""
    before = services.config.effective()
    for path, value in [
        ("strategy.dir", str(tmp_path)),
        ("data.dir", str(tmp_path)),
        ("news.file", str(tmp_path / "news.jsonl")),
        ("sentiment.embedding_head", str(tmp_path / "head.npz")),
        ("live.alpaca_url", "http://attacker.invalid"),
        ("live.alpaca_stream_url", "ws://attacker.invalid"),
        ("live.ccxt_url", "http://attacker.invalid"),
        ("sentiment.ollama_host", "http://attacker.invalid"),
        ("news.feeds", [{"name": "x", "url": "http://attacker.invalid/rss"}]),
        ("sentiment.finbert_model", str(tmp_path)),
        ("api.cors_origins", ["http://attacker.invalid"]),
        ("log.level", "DEBUG"),
    ]:
        response = client.put(
            "/api/trading/config", json={"changes": {path: value}}, headers=fresh_headers
        )
        assert response.status_code == 400, (path, response.text)
        assert path in response.json()["detail"]
    assert services.config.effective() == before


def test_bad_changes_are_400_in_one_line_naming_the_path(
    client: TestClient, fresh_headers: dict[str, str], services: Services
) -> None:
    before = services.config.effective()
    for changes, named in [
        ({"risk.nope": 1}, "risk.nope"),
        ({"notifications.telegram_per_hour": -1}, "notifications.telegram_per_hour"),
        ({"api.jwt_secret": "x" * 40}, "api.jwt_secret"),
        ({"broker.alpaca_api_secret": "x"}, "broker.alpaca_api_secret"),
        ({"store.url": "sqlite://"}, "store.url"),
        ({"api.access_ttl_s": 3600}, "api.access_ttl_s"),
        ({"learning.policy": "ema", "risk.tier": "reckless"}, "risk.tier"),
    ]:
        response = client.put(
            "/api/trading/config", json={"changes": changes}, headers=fresh_headers
        )
        assert response.status_code == 400, (changes, response.text)
        body = response.json()
        assert named in body["detail"] and "\n" not in body["detail"] and body["hint"]
        assert "x" * 40 not in response.text
    assert services.config.effective() == before
    shape = client.put("/api/trading/config", json={"changes": {}}, headers=fresh_headers)
    assert shape.status_code == 422
    extra = client.put(
        "/api/trading/config",
        json={"changes": {"risk.tier": None}, "who": "me"},
        headers=fresh_headers,
    )
    assert extra.status_code == 422
