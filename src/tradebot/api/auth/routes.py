"""``/api/auth``: passkey registration and login, refresh rotation, logout, step-up, the
signed-in user's passkeys and invitations (see README.md for the contracts).

Public (no token): ``GET /status``, ``POST /register/*``, ``/login/*``, ``/refresh`` and
``/logout``. Every route is rate limited per client address (``api.auth_rate_per_minute``,
429 with ``Retry-After``). Each route is a few lines over :class:`AuthService`.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response, status

from tradebot.adapters.sql.auth_rows import PasskeyRecord, UserRecord
from tradebot.api.auth import schemas as s
from tradebot.api.auth.ceremonies import Begun
from tradebot.api.auth.cookies import (
    REFRESH_COOKIE,
    check_csrf,
    check_origin,
    clear_cookies,
    set_cookies,
)
from tradebot.api.auth.errors import AuthError, AuthRoute, problem_response, problem_responses
from tradebot.api.auth.ratelimit import TokenBucket
from tradebot.api.auth.service import AuthService, SignedIn
from tradebot.api.deps import CurrentUser, FreshUser
from tradebot.service import Services

__all__ = ["auth_service", "router"]

_lock = threading.Lock()


def auth_service(request: Request) -> AuthService:
    """The app's :class:`AuthService`, built on first use from its services and auth
    context (``tradebot.api.server`` builds it up front)."""
    state = request.app.state
    found: AuthService | None = getattr(state, "auth_service", None)
    if found is None:
        with _lock:
            found = getattr(state, "auth_service", None)
            if found is None:
                opened: Services = state.services
                found = AuthService.of(opened.db, opened.settings.api, state.auth_context)
                state.auth_service = found
    return found


Auth = Annotated[AuthService, Depends(auth_service)]


def rate_limit(request: Request, auth: Auth) -> None:
    state = request.app.state
    limiter: TokenBucket | None = getattr(state, "auth_rate_limiter", None)
    if limiter is None:
        with _lock:
            limiter = getattr(state, "auth_rate_limiter", None)
            if limiter is None:
                limiter = TokenBucket.per_minute(auth.api.auth_rate_per_minute)
                state.auth_rate_limiter = limiter
    client = request.client.host if request.client is not None else "unknown"
    wait = limiter.take(client, auth.now().timestamp())
    if wait > 0:
        seconds = limiter.retry_after(wait)
        raise AuthError(
            429,
            "too many sign-in requests from this address",
            f"wait {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


router = APIRouter(
    prefix="/api/auth",
    tags=["auth"],
    route_class=AuthRoute,
    dependencies=[Depends(rate_limit)],
)
PasskeyId = Annotated[str, Path(min_length=1, max_length=1400, pattern=r"^[A-Za-z0-9_-]+$")]


def _user(user: UserRecord) -> s.UserOut:
    return s.UserOut(
        id=user.id, name=user.name, display_name=user.display_name, created_at=user.created_at
    )


def _passkey(p: PasskeyRecord) -> s.PasskeyOut:
    return s.PasskeyOut(
        id=p.id,
        name=p.name,
        created_at=p.created_at,
        last_used_at=p.last_used_at,
        revoked_at=p.revoked_at,
        backed_up=p.backed_up,
        aaguid=p.aaguid,
        transports=p.transports,
    )


def _token(auth: AuthService, signed: SignedIn, response: Response) -> s.TokenOut:
    set_cookies(response, auth, signed)
    return s.TokenOut(
        access_token=signed.access_token,
        expires_in=signed.expires_in,
        fresh_until=auth.fresh_until(signed.step_up_at),
        user=_user(signed.user),
    )


def _ceremony(begun: Begun) -> s.CeremonyOut:
    return s.CeremonyOut(
        ceremony_id=begun.ceremony_id, options=begun.options, expires_at=begun.expires_at
    )


@router.get("/status", response_model=s.AuthStatus, responses=problem_responses())
def auth_status(auth: Auth) -> s.AuthStatus:
    """Whether the first user still has to register (with the setup code)."""
    return s.AuthStatus(
        setup_required=auth.invites.setup_needed(),
        rp_id=auth.party.rp_id,
        origin=auth.party.origin,
    )


@router.post("/register/begin", responses=problem_responses(403, 409))
def register_begin(body: s.RegisterBegin, auth: Auth) -> s.CeremonyOut:
    """Start registering a new user: needs the setup code (first user) or an invitation."""
    return _ceremony(auth.begin_registration(body.name, body.display_name, body.code))


@router.post("/register/complete", responses=problem_responses(400, 403, 409))
def register_complete(body: s.CompleteRegistration, auth: Auth, response: Response) -> s.TokenOut:
    """Finish the registration with the authenticator's answer; signs the new user in."""
    signed = auth.complete_registration(
        body.ceremony_id, body.credential.as_json(), body.passkey_name
    )
    return _token(auth, signed, response)


@router.post("/login/begin", responses=problem_responses())
def login_begin(auth: Auth, body: Annotated[s.LoginBegin | None, Body()] = None) -> s.CeremonyOut:
    """Options for a passkey login (with a name, or discoverable without one)."""
    return _ceremony(auth.begin_login(body.name if body is not None else None))


@router.post("/login/complete", responses=problem_responses(400, 401))
def login_complete(body: s.CompleteAssertion, auth: Auth, response: Response) -> s.TokenOut:
    """An access token in the body; the refresh token and CSRF value as cookies."""
    return _token(auth, auth.complete_login(body.ceremony_id, body.credential.as_json()), response)


@router.post("/refresh", response_model=s.TokenOut, responses=problem_responses(401, 403))
def refresh(request: Request, auth: Auth, response: Response) -> Any:
    """Rotate the refresh cookie (send the CSRF cookie's value as ``X-CSRF-Token``): a new
    access token and a new refresh token; a reused one revokes its whole family."""
    check_origin(request, auth)
    token = request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise AuthError(401, "no refresh cookie", "sign in with your passkey")
    check_csrf(request, auth, token)
    try:
        signed = auth.refresh(token)
    except AuthError as exc:
        refused = problem_response(exc)
        clear_cookies(refused, auth)
        return refused
    return _token(auth, signed, response)


@router.post("/logout", responses=problem_responses(403))
def logout(request: Request, auth: Auth, response: Response) -> s.SignedOut:
    """Revoke this sign-in's refresh tokens (all of its family) and clear the cookies."""
    check_origin(request, auth)
    token = request.cookies.get(REFRESH_COOKIE)
    if token:
        check_csrf(request, auth, token)
        auth.logout(token)
    clear_cookies(response, auth)
    return s.SignedOut()


@router.post("/step-up/begin", responses=problem_responses(401))
def step_up_begin(user: CurrentUser, auth: Auth) -> s.CeremonyOut:
    """Options to prove presence again with one of your passkeys."""
    return _ceremony(auth.begin_step_up(user))


@router.post("/step-up/complete", responses=problem_responses(400, 401, 403))
def step_up_complete(
    body: s.CompleteAssertion, user: CurrentUser, auth: Auth, response: Response
) -> s.TokenOut:
    """A new access token allowed step-up actions for ``api.step_up_s`` seconds."""
    signed = auth.complete_step_up(user, body.ceremony_id, body.credential.as_json())
    return _token(auth, signed, response)


@router.get("/me", responses=problem_responses(401))
def me(user: CurrentUser, auth: Auth) -> s.MeOut:
    """Who you are and your passkeys (no key material)."""
    found, passkeys = auth.me(user)
    return s.MeOut(
        user=_user(found),
        passkeys=[_passkey(p) for p in passkeys],
        fresh_until=auth.fresh_until(user.step_up_at) if user.fresh else None,
    )


@router.post("/passkeys/begin", responses=problem_responses(401, 403))
def passkeys_begin(user: FreshUser, auth: Auth) -> s.CeremonyOut:
    """Start adding a passkey (a step-up action)."""
    return _ceremony(auth.begin_add_passkey(user))


@router.post(
    "/passkeys/complete",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 409),
)
def passkeys_complete(body: s.NewPasskey, user: FreshUser, auth: Auth) -> s.PasskeyOut:
    added = auth.complete_add_passkey(user, body.ceremony_id, body.credential.as_json(), body.name)
    return _passkey(added)


@router.patch("/passkeys/{passkey_id}", responses=problem_responses(401, 404))
def passkeys_rename(
    passkey_id: PasskeyId, body: s.PasskeyRename, user: CurrentUser, auth: Auth
) -> s.PasskeyOut:
    return _passkey(auth.rename_passkey(user, passkey_id, body.name))


@router.delete("/passkeys/{passkey_id}", responses=problem_responses(401, 403, 404, 409))
def passkeys_revoke(passkey_id: PasskeyId, user: FreshUser, auth: Auth) -> s.PasskeyOut:
    """Revoke one of your passkeys (never the last one; a step-up action)."""
    return _passkey(auth.revoke_passkey(user, passkey_id))


@router.post("/invites", status_code=status.HTTP_201_CREATED, responses=problem_responses(401, 403))
def invites(user: FreshUser, auth: Auth) -> s.InviteOut:
    """A one-time invitation code for one more user, shown this once (a step-up action)."""
    issued = auth.invite(user)
    return s.InviteOut(code=issued.code, kind=issued.kind, expires_at=issued.expires_at)
