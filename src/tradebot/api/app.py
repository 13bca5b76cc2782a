"""The FastAPI application: routers, security headers, CORS, and errors as one line.

:func:`create_app` takes the services and the auth context already built (tests build them
on a temporary database; ``tradebot serve`` through :mod:`tradebot.api.server`). Routes
live in :mod:`tradebot.api.routes` (one module per resource), ``/api/auth`` in
:mod:`tradebot.api.auth.routes` and ``/ws`` in :mod:`tradebot.api.ws`; the built dashboard
(:mod:`tradebot.api.dashboard`) takes whatever GET they leave, so it is mounted last.

Errors: a :class:`~tradebot.domain.errors.TradebotError` raised by a service becomes a 4xx
``{"detail", "hint"}`` (404 for an unknown run, trade, decision or strategy,
409 for a refused operator command, 503 when the database cannot be reached, 400
otherwise); anything
unexpected a 500 saying only that, logged with its traceback on the server side — no stack
and no secret reaches a client.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from tradebot.api import ws
from tradebot.api.auth import routes as auth_routes
from tradebot.api.auth.context import AuthContext
from tradebot.api.dashboard import dashboard_folder, mount_dashboard
from tradebot.api.headers import SecurityHeaders
from tradebot.api.routes import (
    backtests,
    controls,
    health,
    news,
    notifications,
    portfolio,
    runs,
    signals,
    strategies,
    trades,
    trading,
)
from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.errors import StoreError, TradebotError
from tradebot.ops.logging import get_logger
from tradebot.ops.metrics import CONTENT_TYPE, EngineMetrics, authorised, render
from tradebot.runtime import metrics as run_metrics
from tradebot.service import Services
from tradebot.service.queries import NotFoundError

__all__ = ["API_VERSION", "MAX_BODY_BYTES", "create_app"]

API_VERSION = "1"
MAX_BODY_BYTES = 1 << 20
"""The largest request body read (413 beyond): a passkey response, a backtest or a settings
change is a few kilobytes, and bodies are read before the caller is authenticated."""
GC_THRESHOLDS = (50_000, 50, 100)
"""The collector's generations' thresholds while serving (CPython's are 700, 10, 10). A
request allocates thousands of short-lived objects; at the default the youngest generation
is collected several times a request and the oldest — every cache and pool the server
holds — often enough to stall every request in flight for tens of milliseconds."""
_log = get_logger("api")


def create_app(services: Services, auth: AuthContext, *, start_engine: bool = False) -> FastAPI:
    """The app over ``services``; ``start_engine`` starts ``services.host`` with the app
    (``tradebot serve``) and stops it, and every service, when the app shuts down."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        services.events.bind_loop()
        unserved = dashboard.problem()
        if unserved is not None:
            _log.warning(unserved)
        run_metrics.install(metrics)  # the runs this app hosts report to its /metrics
        if start_engine:
            services.host.start()
        # Everything loaded so far (the libraries, the settings, the app) lives as long as
        # the process: moved out of the collector's reach, a full collection no longer
        # walks it — one took ~0.3 s, a stall every request in flight waited out.
        gc.collect()
        gc.freeze()
        thresholds = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            if start_engine:
                services.close()
            run_metrics.uninstall(metrics)

    app = FastAPI(
        title="tradebot API",
        version=API_VERSION,
        description="Watch and control the tradebot engine. Sign in with a passkey "
        "(/api/auth), send the access token as `Authorization: Bearer`.",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.services = services
    app.state.auth_context = auth
    _add_middleware(app, services)
    _add_error_handlers(app)
    for module in (
        health,
        runs,
        portfolio,
        trades,
        signals,
        strategies,
        news,
        trading,
        notifications,
        controls,
        backtests,
    ):
        app.include_router(module.router)
    app.include_router(auth_routes.router)
    app.include_router(ws.router)
    metrics = _mount_metrics(app, services)
    dashboard = mount_dashboard(app, dashboard_folder(services.settings.api))
    return app


def _mount_metrics(app: FastAPI, services: Services) -> EngineMetrics:
    """``GET /metrics``: this app's metrics (a registry of its own, which the engine it
    hosts reports to while the app runs: installed by its lifespan) in Prometheus's text
    format. Outside the sign-in — Prometheus has no
    browser session — and out of the OpenAPI schema; on the API's own address (loopback by
    default) and, with ``api.metrics_token`` set, only for ``Authorization: Bearer`` with
    it (401 otherwise; the token is never echoed or logged)."""
    metrics = EngineMetrics()
    app.state.metrics = metrics
    secret = services.settings.api.metrics_token
    token = None if secret is None else secret.get_secret_value()

    @app.get("/metrics", include_in_schema=False)
    def metrics_text(request: Request) -> Response:
        if not authorised(request.headers.get("authorization"), token):
            return JSONResponse(
                {
                    "detail": "a valid metrics token is required",
                    "hint": "send it as a Bearer token",
                },
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return Response(render(metrics.registry), media_type=CONTENT_TYPE)

    return metrics


def _add_middleware(app: FastAPI, services: Services) -> None:
    origins = list(services.settings.api.cors_origins)
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"],
        )

    https = services.settings.api.public_origin.startswith("https://")
    app.add_middleware(SecurityHeaders, hsts=https)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradebotError)
    async def tradebot_error(request: Request, exc: TradebotError) -> JSONResponse:
        code = 400
        if isinstance(exc, CommandRefusedError):
            code = 409
        elif isinstance(exc, NotFoundError):
            code = 404
        elif isinstance(exc, StoreError):
            code = 503
        return JSONResponse({"detail": exc.message, "hint": exc.hint or None}, status_code=code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        _log.error("request failed", method=request.method, path=request.url.path, exc_info=exc)
        return JSONResponse(
            {"detail": "internal error (logged on the server)", "hint": None}, status_code=500
        )
