"""The app shell: OpenAPI is published, headers are set, a token is checked for real."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_openapi_is_published(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "tradebot API"


def test_security_headers_on_every_response(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_seeded_run_exists(seeded_run: str) -> None:
    assert seeded_run


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(client: TestClient) -> None:
    from tradebot.api.app import MAX_BODY_BYTES

    huge = b'{"name": "' + b"a" * MAX_BODY_BYTES + b'"}'
    response = client.post(
        "/api/auth/login/begin", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    small = client.post("/api/auth/login/begin", json={"name": "alice"})
    assert small.status_code == 200
