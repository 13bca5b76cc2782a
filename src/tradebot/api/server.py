"""The app ``tradebot serve`` runs: the services on the configured store, the real auth
context (the configured JWT secret, the wall clock), and the first user's setup code.

``build_app`` is what uvicorn serves. Without ``api.jwt_secret`` in development, tokens are
signed with a random secret of this process (a warning says so: every token dies with the
process); outside development the settings already refuse a missing, short or default
secret. The setup code is returned to the caller to print on the console — it never goes
to a log.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import FastAPI

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.auth_rows import AuthRows
from tradebot.api.app import create_app
from tradebot.api.auth.context import AuthContext
from tradebot.api.auth.invites import IssuedCode
from tradebot.api.auth.service import AuthService
from tradebot.api.auth.tokens import TokenIssuer
from tradebot.config import ApiSettings, Settings
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import get_logger
from tradebot.service import Services

__all__ = ["auth_context_of", "build_app", "jwt_secret", "setup_code"]

_log = get_logger("api")


def jwt_secret(api: ApiSettings) -> str:
    """The configured secret; in development without one, a random one for this process."""
    if api.jwt_secret is not None and api.jwt_secret.get_secret_value():
        return api.jwt_secret.get_secret_value()
    if api.environment != "development":  # the settings refuse this already; kept as a guard
        raise ConfigError(
            "api.jwt_secret is not set", "set TRADEBOT_API__JWT_SECRET to a random value"
        )
    _log.warning(
        "api.jwt_secret is not set: signing tokens with a random secret of this process "
        "(every sign-in ends when it stops; set TRADEBOT_API__JWT_SECRET to keep them)"
    )
    return secrets.token_urlsafe(48)


def auth_context_of(
    services: Services, secret: str, now: Callable[[], datetime] = utc_now
) -> AuthContext:
    """What the request dependencies check tokens with: ``secret`` signing tokens that live
    ``api.access_ttl_s``, the users of ``services``' database, ``api.step_up_s`` for a fresh
    assertion, and the clock ``now`` (tests move theirs)."""
    api = services.settings.api
    return AuthContext(
        tokens=TokenIssuer(secret, timedelta(seconds=api.access_ttl_s)),
        users=AuthRows(services.db),
        step_up_window=timedelta(seconds=api.step_up_s),
        now=now,
    )


def build_app(settings: Settings, *, start_engine: bool = True) -> FastAPI:
    """The API over ``Services.open(settings)``. With ``start_engine`` the app starts the
    configured engine with itself and closes every service when it stops; without, the
    caller closes ``app.state.services``."""
    secret = jwt_secret(settings.api)
    services = Services.open(settings)
    context = auth_context_of(services, secret)
    app = create_app(services, context, start_engine=start_engine)
    app.state.auth_service = AuthService.of(services.db, settings.api, context)
    return app


def setup_code(app: FastAPI) -> IssuedCode | None:
    """A new one-time setup code when nobody has registered yet (print it on the console,
    never log it); None once a user exists."""
    auth: AuthService = app.state.auth_service
    return auth.invites.setup_code()
