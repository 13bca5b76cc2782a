"""``SecurityHeaders`` on a tiny Starlette app: behind an https public origin every response
(an error too) carries ``Strict-Transport-Security``; under an http origin none does (a
development server on http://localhost must not pin localhost to https for a year)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tradebot.api.headers import HSTS, SecurityHeaders

PATHS = ("/api/thing", "/docs", "/", "/api/missing")


def _ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def _json(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def _client(*, hsts: bool) -> TestClient:
    app = Starlette(
        routes=[Route("/api/thing", _json), Route("/docs", _ok), Route("/", _ok)],
        middleware=[Middleware(SecurityHeaders, hsts=hsts)],
    )
    return TestClient(app, base_url="https://trade.example")


def test_an_https_origin_gets_hsts_on_every_response() -> None:
    with _client(hsts=True) as client:
        for path in PATHS:
            response = client.get(path)
            assert response.headers["Strict-Transport-Security"] == HSTS == "max-age=31536000"
            assert response.headers["X-Frame-Options"] == "DENY"  # the others stay
        assert client.get("/api/missing").status_code == 404


def test_without_the_flag_there_is_no_hsts() -> None:
    with _client(hsts=False) as client:
        for path in PATHS:
            response = client.get(path)
            assert "Strict-Transport-Security" not in response.headers
            assert response.headers["X-Content-Type-Options"] == "nosniff"
