"""One-time codes that let one person register: the first user's setup code, and the
invitations later users need.

A code is 80 random bits shown once as ``XXXX-XXXX-XXXX-XXXX`` (base32, no padding) and kept
only as its SHA-256. Typing is forgiving: case, spaces and dashes do not matter. A setup code
works only while there is no user at all (the first registration spends it, and every other
setup code dies with it); an invitation works once, before it expires.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from tradebot.adapters.sql.auth_rows import AuthRows

__all__ = ["CodeKind", "Invites", "IssuedCode", "hash_code", "normalise_code"]

CodeKind = Literal["setup", "invite"]


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    """The stored form of a code (a leaked table gives no usable code)."""
    return hashlib.sha256(b"tradebot-code:" + normalise_code(code).encode()).hexdigest()


def _new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A code as issued: ``code`` is shown once and stored nowhere."""

    code: str
    kind: CodeKind
    expires_at: datetime


class Invites:
    def __init__(self, rows: AuthRows, ttl: timedelta, now: Callable[[], datetime]) -> None:
        self._rows = rows
        self._ttl = ttl
        self._now = now

    def setup_needed(self) -> bool:
        return self._rows.user_count() == 0

    def setup_code(self) -> IssuedCode | None:
        """A new setup code while there is no user; None once someone has registered."""
        return self._issue("setup", None) if self.setup_needed() else None

    def issue(self, created_by: str | None) -> IssuedCode:
        """An invitation; a setup code instead while there is no user (nobody to invite)."""
        return self._issue("setup" if self.setup_needed() else "invite", created_by)

    def valid_kind(self, code: str) -> CodeKind | None:
        """What an unspent, unexpired code lets its bearer do now (None: nothing)."""
        found = self._rows.invite(hash_code(code))
        if found is None or found.used_at is not None or found.expires_at <= self._now():
            return None
        if found.kind == "setup":
            return "setup" if self.setup_needed() else None
        return "invite"

    def _issue(self, kind: CodeKind, created_by: str | None) -> IssuedCode:
        now = self._now()
        code = _new_code()
        expires = now + self._ttl
        self._rows.add_invite(hash_code(code), kind, created_by, now, expires)
        return IssuedCode(code, kind, expires)
