"""The request dependencies every route uses, as ``Annotated`` aliases (the FastAPI
template's habit): ``ServicesDep`` (the application services), ``CurrentUser`` (a valid
access token of an active user, else 401) and ``FreshUser`` (the same, with a passkey
assertion in the last ``api.step_up_s`` seconds, else 403 ``step_up_required``).

A route whose danger depends on its body (raising the tier, resuming after a kill,
changing risk settings) takes ``CurrentUser`` and calls :func:`require_fresh` itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tradebot.api.auth.context import AuthContext, Principal
from tradebot.api.auth.tokens import TokenError
from tradebot.service import Services

__all__ = [
    "STEP_UP_REQUIRED",
    "CurrentUser",
    "FreshUser",
    "ServicesDep",
    "current_user",
    "fresh_user",
    "require_fresh",
]

STEP_UP_REQUIRED = "step_up_required"
_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")


# The dependencies are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
# the thread pool, one hop per dependency per request, which cost more than the work they
# do (a JWT check and one primary-key lookup).


async def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail=f"not signed in: {reason}",
        headers={"WWW-Authenticate": "Bearer"},
    )


def principal_of(context: AuthContext, token: str) -> Principal:
    """The caller a bearer token names; 401 when it names nobody active."""
    now = context.now()
    try:
        claims = context.tokens.verify(token, now)
    except TokenError as exc:
        raise _unauthorized(str(exc)) from None
    name = context.users.active_name(claims.user_id)
    if name is None:
        raise _unauthorized("the user is unknown or disabled")
    return Principal(
        user_id=claims.user_id,
        name=name,
        fresh=claims.fresh(now, context.step_up_window),
        step_up_at=claims.step_up_at,
    )


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("send `Authorization: Bearer <access token>`")
    context: AuthContext = request.app.state.auth_context
    return principal_of(context, credentials.credentials)


CurrentUser = Annotated[Principal, Depends(current_user)]


def require_fresh(user: Principal, action: str) -> None:
    """403 unless ``user`` proved presence with a passkey lately (step-up)."""
    if not user.fresh:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"{action} needs a fresh passkey assertion: sign in again with "
            "/api/auth/step-up/begin and /complete",
            headers={"X-Tradebot-Error": STEP_UP_REQUIRED},
        )


async def fresh_user(user: CurrentUser, request: Request) -> Principal:
    require_fresh(user, f"{request.method} {request.url.path}")
    return user


FreshUser = Annotated[Principal, Depends(fresh_user)]
ServicesDep = Annotated[Services, Depends(services)]
