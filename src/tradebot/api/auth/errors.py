"""Refusals of the auth routes: one line and a hint, with the HTTP status they mean.

:class:`AuthError` is a :class:`~tradebot.domain.errors.TradebotError` (the CLI prints one
the same way); :class:`AuthRoute`, the route class of ``/api/auth``, turns it into the
``{"detail", "hint"}`` body every error of the API has, with its status and headers (the
app's own handler would make any ``TradebotError`` a 400).

Messages name what went wrong and never echo a secret (a token, a code, a challenge).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from tradebot.api.schemas.common import Problem
from tradebot.domain.errors import TradebotError

__all__ = ["AuthError", "AuthRoute", "problem_response", "problem_responses"]


class AuthError(TradebotError):
    """A refused auth request: ``status`` is its HTTP status (400, 401, 403, 404, 409, 429)."""

    def __init__(
        self,
        status: int,
        message: str,
        hint: str = "",
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.headers = dict(headers or {})


class AuthRoute(APIRoute):
    """An ``APIRoute`` whose :class:`AuthError` (from the endpoint or a dependency)
    answers ``{"detail", "hint"}`` with its own status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except AuthError as exc:
                return problem_response(exc)

        return handler


def problem_response(exc: AuthError) -> JSONResponse:
    """The ``{"detail", "hint"}`` response of ``exc``, with its status and headers."""
    headers = dict(exc.headers)
    if exc.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    body = Problem(detail=exc.message, hint=exc.hint or None)
    return JSONResponse(body.model_dump(), status_code=exc.status, headers=headers)


_DESCRIPTIONS = {
    400: "Bad request (a ceremony that is unknown, used or expired; a response not accepted)",
    401: "Not signed in, or the passkey or refresh token was refused",
    403: "Forbidden (a bad code, CSRF or origin; a step-up needed)",
    404: "No such passkey",
    409: "Conflict (a name taken, the last passkey)",
    429: "Too many auth requests from this address (see Retry-After)",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that may answer these codes with a :class:`Problem`
    (429 is on every auth route: the rate limit)."""
    return {
        code: {"model": Problem, "description": _DESCRIPTIONS[code]}
        for code in sorted({*codes, 429})
    }
