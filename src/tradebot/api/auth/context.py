"""What the request dependencies need to authenticate a caller (built by the app factory).

``users`` answers whether a user id from a valid token still names an active user (a
disabled user's unexpired tokens stop working at once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from tradebot.api.auth.tokens import TokenIssuer

__all__ = ["ActiveUsers", "AuthContext", "Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request: who, and whether they proved presence lately (step-up)."""

    user_id: str
    name: str
    fresh: bool
    step_up_at: datetime | None


class ActiveUsers(Protocol):
    def active_name(self, user_id: str) -> str | None:
        """The user's name when the user exists and is not disabled, else None."""
        ...


@dataclass(frozen=True, slots=True)
class AuthContext:
    tokens: TokenIssuer
    users: ActiveUsers
    step_up_window: timedelta
    now: Callable[[], datetime]
