"""Refresh tokens: random, single-use, stored hashed, rotated in families.

A login starts a family; each refresh spends the token presented and hands out the next
one of the family, which expires when the family does: ``api.refresh_ttl_s`` after the
login, however often it rotates (a sign-in ends; a stolen cookie kept fresh dies too). A
token spent before and presented again means two parties hold the family (a stolen cookie,
or a replay): the whole family is revoked at once, the current token included, and its
holder must sign in again. Logout revokes the family; disabling
a user revokes all of theirs (:meth:`AuthRows.set_disabled`).

The CSRF value that goes with a refresh token is bound to it (an HMAC under the JWT
secret), so a cookie planted by a sibling site cannot be paired with a header of its own.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tradebot.adapters.sql.auth_rows import AuthRows, Rotation

__all__ = ["IssuedRefresh", "RefreshTokens", "hash_refresh"]


def hash_refresh(token: str) -> str:
    return hashlib.sha256(b"tradebot-refresh:" + token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedRefresh:
    token: str
    family_id: str
    user_id: str
    expires_at: datetime


class RefreshTokens:
    def __init__(self, rows: AuthRows, ttl: timedelta, now: Callable[[], datetime]) -> None:
        self._rows = rows
        self._ttl = ttl
        self._now = now

    @property
    def ttl(self) -> timedelta:
        return self._ttl

    def start(self, user_id: str) -> IssuedRefresh:
        """The first token of a new family (a login or a registration)."""
        now = self._now()
        token = secrets.token_urlsafe(32)
        family = f"fam-{secrets.token_hex(8)}"
        self._rows.add_refresh(hash_refresh(token), family, user_id, now, now + self._ttl)
        return IssuedRefresh(token, family, user_id, now + self._ttl)

    def rotate(self, token: str) -> tuple[Rotation, IssuedRefresh | None]:
        """Spend ``token``; the next token of its family when it rotated, expiring when
        the family does (``ttl`` after its login, not after this refresh)."""
        fresh = secrets.token_urlsafe(32)
        outcome = self._rows.rotate_refresh(hash_refresh(token), hash_refresh(fresh), self._now())
        if (
            outcome.outcome != "rotated"
            or outcome.user_id is None
            or outcome.family_id is None
            or outcome.expires_at is None
        ):
            return outcome, None
        issued = IssuedRefresh(fresh, outcome.family_id, outcome.user_id, outcome.expires_at)
        return outcome, issued

    def revoke(self, token: str, reason: str) -> bool:
        """Revoke the family of ``token`` (logout); False for a token never issued."""
        return self._rows.revoke_family_of(hash_refresh(token), reason, self._now()) is not None

    def usable(self, token: str) -> bool:
        return self._rows.refresh_usable(hash_refresh(token), self._now())
