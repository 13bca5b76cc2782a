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
