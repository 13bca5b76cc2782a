"""The refresh cookie and its CSRF defence.

- ``tradebot_refresh``: the refresh token. ``HttpOnly`` (no script reads it),
  ``SameSite=Strict`` (no other site's request carries it), ``Path=/api/auth`` (sent to
  the auth routes only), ``Secure`` when ``api.public_origin`` is https.
- ``tradebot_csrf``: readable by the page's script (``Path=/``), which echoes it in the
  ``X-CSRF-Token`` header (double submit). Its value is an HMAC of the refresh token, so a
  pair planted by another site does not match.

The cookie routes (refresh, logout) also refuse a request whose ``Origin`` header, when
present, is neither ``api.public_origin`` nor a configured CORS origin.
"""

from __future__ import annotations

import hmac

from fastapi import Request, Response

from tradebot.api.auth.errors import AuthError
from tradebot.api.auth.service import AuthService, SignedIn

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "REFRESH_COOKIE",
    "check_csrf",
    "check_origin",
    "clear_cookies",
    "set_cookies",
]

REFRESH_COOKIE = "tradebot_refresh"
CSRF_COOKIE = "tradebot_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_PATH = "/api/auth"


def _secure(auth: AuthService) -> bool:
    return auth.party.origin.startswith("https://")


def set_cookies(response: Response, auth: AuthService, signed: SignedIn) -> None:
    if signed.refresh is None or signed.csrf is None:
        return
    # What the family has left (it expires refresh_ttl_s after the login, not after this).
    max_age = max(0, int((signed.refresh.expires_at - auth.now()).total_seconds()))
    secure = _secure(auth)
    response.set_cookie(
        REFRESH_COOKIE,
        signed.refresh.token,
        max_age=max_age,
        path=REFRESH_PATH,
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        signed.csrf,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="strict",
    )


def clear_cookies(response: Response, auth: AuthService) -> None:
    secure = _secure(auth)
    response.delete_cookie(
        REFRESH_COOKIE, path=REFRESH_PATH, secure=secure, httponly=True, samesite="strict"
    )
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="strict")


def check_origin(request: Request, auth: AuthService) -> None:
    """403 for a cross-site request on a cookie route (a browser always sends Origin on a
    cross-origin POST; a same-origin one or a non-browser client may leave it out)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    allowed = {auth.party.origin, *(o.rstrip("/") for o in auth.api.cors_origins)}
    if origin.rstrip("/") not in allowed:
        raise AuthError(
            403, "requests from this origin may not use the refresh cookie", "use the app's page"
        )


def check_csrf(request: Request, auth: AuthService, refresh_token: str) -> None:
    """403 unless the ``X-CSRF-Token`` header equals the CSRF cookie and both belong to
    ``refresh_token``."""
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    expected = auth.csrf_for(refresh_token)
    if not header or not cookie:
        raise AuthError(
            403,
            f"the {CSRF_HEADER} header and the {CSRF_COOKIE} cookie are both required",
            f"send the {CSRF_COOKIE} cookie's value in the {CSRF_HEADER} header",
        )
    same = hmac.compare_digest(header.encode(), cookie.encode())
    if not (same and hmac.compare_digest(header.encode(), expected.encode())):
        raise AuthError(
            403, "the CSRF token does not match", f"send the {CSRF_COOKIE} cookie's value"
        )
