"""The tables of the HTTP API: its users and their passkeys, the WebAuthn challenges it
issued, the refresh tokens it handed out, setup codes and invitations, the audit of
configuration changes and the notifications sent.

Nothing here belongs to a run: a user outlives every run. Secrets are never stored as
given: a refresh token or a setup code is kept as its SHA-256 (a leaked table cannot be
replayed), a passkey only as its public key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tradebot.adapters.sql.models import ID, Base

__all__ = [
    "ApiUserRow",
    "AuthChallengeRow",
    "ConfigChangeRow",
    "InviteRow",
    "NotificationRow",
    "PasskeyRow",
    "RefreshTokenRow",
]

_USER_FK = "api_users.id"


class ApiUserRow(Base):
    """Someone who may sign in. ``name`` is the WebAuthn user name (unique)."""

    __tablename__ = "api_users"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    disabled: Mapped[bool] = mapped_column(Boolean)


class PasskeyRow(Base):
    """One registered credential: its public key (COSE), sign count, a name the user
    gave it, and when it was revoked (a revoked passkey signs nobody in)."""

    __tablename__ = "api_passkeys"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[str] = mapped_column(String(1400), primary_key=True)
    """The credential id, base64url."""
    user_id: Mapped[str] = mapped_column(ID, ForeignKey(_USER_FK, ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer)
    transports: Mapped[list[Any]]
    aaguid: Mapped[str] = mapped_column(String(64))
    backed_up: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AuthChallengeRow(Base):
    """A WebAuthn challenge: single-use (``used_at``) and expiring (``expires_at``).
    ``purpose`` is register, login or step_up; ``user_id`` is who it was issued for (a
    registration's user to be, or None for a discoverable login)."""

    __tablename__ = "api_challenges"
    __table_args__ = (Index(None, "expires_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    challenge: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(ID)
    payload: Mapped[dict[str, Any]]
    """What the ceremony needs to finish (the user name to be, the invite used...)."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RefreshTokenRow(Base):
    """One refresh token (its SHA-256), of a family that starts at a login. Each use
    replaces it by a new one (``used_at``, ``replaced_by``); a used token presented again
    revokes the whole family (``revoked_at`` on every member)."""

    __tablename__ = "api_refresh_tokens"
    __table_args__ = (Index(None, "family_id"), Index(None, "user_id"))

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID, ForeignKey(_USER_FK, ondelete="CASCADE"))
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    replaced_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(100))


class InviteRow(Base):
    """A one-time code (its SHA-256) that lets one person register: the first user's
    setup code (``kind`` setup) or an invitation (``kind`` invite)."""

    __tablename__ = "api_invites"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(ID)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(ID)


class ConfigChangeRow(Base):
    """One audited change of a setting: its dotted path, the value before and after (as
    JSON; secrets never reach this table), who made it and from where."""

    __tablename__ = "config_changes"
    __table_args__ = (Index(None, "path", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime]
    path: Mapped[str] = mapped_column(String(200))
    previous: Mapped[dict[str, Any]]
    """``{"value": ...}``: the effective value before the change."""
    new: Mapped[dict[str, Any]]
    actor: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(32))


class NotificationRow(Base):
    """A notification as sent (or not): channel, event, text and delivery status."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index(None, "ts"),
        Index(None, "event", "ts"),
        Index(None, "delivery_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str]
    body: Mapped[str]
    status: Mapped[str] = mapped_column(String(16))
    """sent, failed, rate_limited or pending."""
    error: Mapped[str | None]
    run_id: Mapped[str | None] = mapped_column(ID)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Sends tried so far (0: not tried — rate-limited, or waiting)."""
    delivered_at: Mapped[datetime | None]
    correlation_id: Mapped[str | None] = mapped_column(ID)
    """The decision id the notification stems from, when there is one."""
    delivery_key: Mapped[int | None] = mapped_column(BigInteger)
    """Chosen by the sender to update the row by (records are written in batches)."""
