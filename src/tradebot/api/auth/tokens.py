"""Access tokens: short-lived JWTs signed with HS256, the algorithm pinned on both sides.

An access token says who (``sub``), when it was issued and expires (``iat``, ``exp``), for
which issuer and audience (``iss``, ``aud``: a token of another tradebot is refused) and
when its holder last proved presence with a passkey (``sua``, step-up at; absent on a
token minted from a refresh cookie long after the login). Verification refuses any other
algorithm (``alg: none`` included), a wrong signature, an expired or not-yet-valid token, a
missing claim, and another issuer or audience; every refusal is :class:`TokenError` with a
reason that names no secret.

Refresh tokens are not JWTs: they are random, stored hashed and rotated by
:mod:`tradebot.api.auth.refresh`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

__all__ = ["ALGORITHM", "AccessClaims", "TokenError", "TokenIssuer"]

ALGORITHM = "HS256"
ISSUER = "tradebot"
AUDIENCE = "tradebot-api"
_REQUIRED = ("sub", "iat", "exp", "iss", "aud", "jti")


class TokenError(Exception):
    """A token that does not authenticate anyone (the reason is safe to show)."""


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: str
    issued_at: datetime
    expires_at: datetime
    step_up_at: datetime | None
    token_id: str

    def fresh(self, now: datetime, window: timedelta) -> bool:
        """Whether the holder proved presence with a passkey within ``window`` of ``now``."""
        return self.step_up_at is not None and now - self.step_up_at <= window


class TokenIssuer:
    """Signs and checks access tokens with one secret (``ttl``: their lifetime)."""

    def __init__(self, secret: str, ttl: timedelta) -> None:
        if not secret:
            raise ValueError("an empty JWT secret signs nothing safely")
        self._secret = secret
        self._ttl = ttl

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    def mac(self, purpose: str, value: str) -> str:
        """An HMAC-SHA256 of ``value`` under the secret, for ``purpose`` (a CSRF value bound
        to its refresh token): unforgeable without the secret, reproducible with it."""
        digest = hmac.new(
            self._secret.encode(), f"{purpose}\x00{value}".encode(), hashlib.sha256
        ).digest()
        return digest.hex()

    def issue(self, user_id: str, now: datetime, *, step_up_at: datetime | None = None) -> str:
        claims: dict[str, object] = {
            "sub": user_id,
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "iss": ISSUER,
            "aud": AUDIENCE,
            "jti": secrets.token_urlsafe(12),
        }
        if step_up_at is not None:
            claims["sua"] = int(step_up_at.timestamp())
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a valid token; :class:`TokenError` for anything else."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError(f"token algorithm {header.get('alg')!r} is not accepted")
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={
                    "require": list(_REQUIRED),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError as exc:
            raise TokenError("bad token signature") from exc
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {exc}") from exc
        # Time is checked against the caller's clock (tests move it), not the wall clock.
        stamp = int(now.timestamp())
        if int(claims["exp"]) <= stamp:
            raise TokenError("token expired")
        if int(claims.get("nbf", claims["iat"])) > stamp + 5:
            raise TokenError("token not valid yet")
        sua = claims.get("sua")
        return AccessClaims(
            user_id=str(claims["sub"]),
            issued_at=datetime.fromtimestamp(int(claims["iat"]), now.tzinfo),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), now.tzinfo),
            step_up_at=None if sua is None else datetime.fromtimestamp(int(sua), now.tzinfo),
            token_id=str(claims["jti"]),
        )
