"""Users, passkeys, challenges, refresh tokens and invitations of the HTTP API, on the
service layer's engine (:mod:`tradebot.adapters.sql.api_models` has the tables).

Each method is one short transaction; every method is safe to call from any thread. What
must happen once happens in one conditional ``UPDATE`` (a challenge taken, an invitation
spent, a refresh token rotated, a sign count raised), so two requests racing on the same
row cannot both win. Secrets arrive here already hashed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tradebot.adapters.sql.api_models import (
    ApiUserRow,
    AuthChallengeRow,
    InviteRow,
    PasskeyRow,
    RefreshTokenRow,
)

__all__ = [
    "AuthRows",
    "ChallengeRecord",
    "InviteRecord",
    "PasskeyRecord",
    "Rotation",
    "UserRecord",
]


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    name: str
    display_name: str
    created_at: datetime
    disabled: bool


@dataclass(frozen=True, slots=True)
class PasskeyRecord:
    id: str
    """The credential id, base64url."""
    user_id: str
    name: str
    public_key: bytes
    sign_count: int
    transports: list[str]
    aaguid: str
    backed_up: bool
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChallengeRecord:
    id: str
    purpose: str
    challenge: str
    user_id: str | None
    payload: dict[str, Any]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class InviteRecord:
    kind: str
    created_by: str | None
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class Rotation:
    """What presenting a refresh token did: ``rotated`` (to ``user_id`` in ``family_id``,
    the new token expiring at ``expires_at``), or why not (``reused``: the family is
    revoked now)."""

    outcome: Literal["rotated", "unknown", "expired", "revoked", "reused"]
    user_id: str | None = None
    family_id: str | None = None
    expires_at: datetime | None = None


TakeFailure = Literal["missing", "used", "expired"]
RegisterFailure = Literal["code", "name_taken"]


def _user(row: ApiUserRow) -> UserRecord:
    return UserRecord(row.id, row.name, row.display_name, row.created_at, row.disabled)


def _passkey(row: PasskeyRow) -> PasskeyRecord:
    return PasskeyRecord(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        public_key=row.public_key,
        sign_count=row.sign_count,
        transports=[str(t) for t in row.transports],
        aaguid=row.aaguid,
        backed_up=row.backed_up,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def _passkey_row(record: PasskeyRecord) -> PasskeyRow:
    return PasskeyRow(
        id=record.id,
        user_id=record.user_id,
        name=record.name,
        public_key=record.public_key,
        sign_count=record.sign_count,
        transports=list(record.transports),
        aaguid=record.aaguid,
        backed_up=record.backed_up,
        created_at=record.created_at,
        last_used_at=record.last_used_at,
        revoked_at=record.revoked_at,
    )


def new_user_id() -> str:
    return f"usr-{secrets.token_hex(8)}"


class AuthRows:
    def __init__(self, db: Engine) -> None:
        self._db = db

    # -- users ----------------------------------------------------------------------------

    def add_user(
        self, name: str, display_name: str, now: datetime, *, user_id: str | None = None
    ) -> UserRecord:
        row = ApiUserRow(
            id=user_id or new_user_id(),
            name=name,
            display_name=display_name,
            created_at=now,
            disabled=False,
        )
        with Session(self._db) as session, session.begin():
            session.add(row)
            session.flush()
            return _user(row)

    def user(self, user_id: str) -> UserRecord | None:
        with Session(self._db) as session:
            row = session.get(ApiUserRow, user_id)
            return None if row is None else _user(row)

    def user_named(self, name: str) -> UserRecord | None:
        with Session(self._db) as session:
            row = session.scalars(select(ApiUserRow).where(ApiUserRow.name == name)).first()
            return None if row is None else _user(row)

    def active_name(self, user_id: str) -> str | None:
        """Asked on every request (a token's user may have been disabled since): one
        primary-key lookup of two columns, without the ORM's identity map."""
        with self._db.connect() as connection:
            found = connection.execute(
                select(ApiUserRow.name, ApiUserRow.disabled).where(ApiUserRow.id == user_id)
            ).first()
        return None if found is None or found.disabled else str(found.name)

    def users(self) -> list[UserRecord]:
        with Session(self._db) as session:
            rows = session.scalars(select(ApiUserRow).order_by(ApiUserRow.created_at))
            return [_user(r) for r in rows]

    def user_count(self) -> int:
        with Session(self._db) as session:
            return int(session.scalar(select(func.count()).select_from(ApiUserRow)) or 0)

    def set_disabled(self, user_id: str, disabled: bool, now: datetime) -> None:
        """Disable (every refresh token of the user revoked too) or enable a user."""
        with Session(self._db) as session, session.begin():
            session.execute(
                update(ApiUserRow).where(ApiUserRow.id == user_id).values(disabled=disabled)
            )
            if disabled:
                _revoke(session, RefreshTokenRow.user_id == user_id, "user disabled", now)

    # -- passkeys -------------------------------------------------------------------------

    def add_passkey(self, record: PasskeyRecord) -> bool:
        """Store a new passkey; False when its credential id is registered already. The
        primary key decides (no look-up first): two completions racing with one credential
        cannot both store it, and the loser learns so instead of an IntegrityError."""
        try:
            with Session(self._db) as session, session.begin():
                session.add(_passkey_row(record))
        except IntegrityError:
            return False
        return True

    def passkey(self, credential_id: str) -> PasskeyRecord | None:
        with Session(self._db) as session:
            row = session.get(PasskeyRow, credential_id)
            return None if row is None else _passkey(row)

    def passkeys(self, user_id: str, *, include_revoked: bool = False) -> list[PasskeyRecord]:
        query = select(PasskeyRow).where(PasskeyRow.user_id == user_id)
        if not include_revoked:
            query = query.where(PasskeyRow.revoked_at.is_(None))
        with Session(self._db) as session:
            return [_passkey(r) for r in session.scalars(query.order_by(PasskeyRow.created_at))]

    def passkey_shape(self) -> tuple[int, list[str]] | None:
        """The id length (bytes) and transports of the newest active passkey — what a
        stand-in credential should look like — or None while there is none."""
        query = (
            select(PasskeyRow.id, PasskeyRow.transports)
            .where(PasskeyRow.revoked_at.is_(None))
            .order_by(PasskeyRow.created_at.desc())
            .limit(1)
        )
        with self._db.connect() as connection:
            found = connection.execute(query).first()
        if found is None:
            return None
        raw_length = len(found.id) * 3 // 4  # unpadded base64url
        return raw_length, [str(t) for t in found.transports]

    def record_use(
        self, credential_id: str, previous: int, sign_count: int, backed_up: bool, now: datetime
    ) -> bool:
        """Store a verified assertion's counter; False when another assertion moved the
        counter since ``previous`` was read (the same counter twice: a replay or a clone)."""
        with Session(self._db) as session, session.begin():
            result = session.execute(
                update(PasskeyRow)
                .where(
                    PasskeyRow.id == credential_id,
                    PasskeyRow.sign_count == previous,
                    PasskeyRow.revoked_at.is_(None),
                )
                .values(sign_count=sign_count, backed_up=backed_up, last_used_at=now)
            )
            return _count(result) == 1

    def rename_passkey(self, user_id: str, credential_id: str, name: str) -> PasskeyRecord | None:
        with Session(self._db) as session, session.begin():
            row = session.get(PasskeyRow, credential_id)
            if row is None or row.user_id != user_id or row.revoked_at is not None:
                return None
            row.name = name
            session.flush()
            return _passkey(row)

    def revoke_passkey(
        self, user_id: str, credential_id: str, now: datetime
    ) -> PasskeyRecord | Literal["missing", "last"]:
        """Revoke one of the user's passkeys, never their last active one."""
        with Session(self._db) as session, session.begin():
            row = session.get(PasskeyRow, credential_id)
            if row is None or row.user_id != user_id or row.revoked_at is not None:
                return "missing"
            active = session.scalar(
                select(func.count())
                .select_from(PasskeyRow)
                .where(PasskeyRow.user_id == user_id, PasskeyRow.revoked_at.is_(None))
            )
            if (active or 0) <= 1:
                return "last"
            row.revoked_at = now
            session.flush()
            return _passkey(row)

    # -- challenges -----------------------------------------------------------------------

    def add_challenge(
        self,
        purpose: str,
        challenge: str,
        user_id: str | None,
        payload: dict[str, Any],
        now: datetime,
        expires_at: datetime,
    ) -> str:
        """Store a challenge (and forget those expired); its ceremony id."""
        ceremony_id = f"cer-{secrets.token_urlsafe(18)}"
        with Session(self._db) as session, session.begin():
            session.execute(delete(AuthChallengeRow).where(AuthChallengeRow.expires_at <= now))
            session.add(
                AuthChallengeRow(
                    id=ceremony_id,
                    purpose=purpose,
                    challenge=challenge,
                    user_id=user_id,
                    payload=payload,
                    created_at=now,
                    expires_at=expires_at,
                    used_at=None,
                )
            )
        return ceremony_id

    def take_challenge(
        self, ceremony_id: str, purpose: str, now: datetime
    ) -> ChallengeRecord | TakeFailure:
        """The challenge of a ceremony, marked used (a second take fails: single use)."""
        with Session(self._db) as session, session.begin():
            row = session.get(AuthChallengeRow, ceremony_id)
            if row is None or row.purpose != purpose:
                return "missing"
            if row.used_at is not None:
                return "used"
            if row.expires_at <= now:
                return "expired"
            taken = session.execute(
                update(AuthChallengeRow)
                .where(AuthChallengeRow.id == ceremony_id, AuthChallengeRow.used_at.is_(None))
                .values(used_at=now)
            )
            if _count(taken) != 1:
                return "used"
            return ChallengeRecord(
                row.id, row.purpose, row.challenge, row.user_id, dict(row.payload), row.expires_at
            )

    # -- invitations and setup codes ------------------------------------------------------

    def add_invite(
        self, code_hash: str, kind: str, created_by: str | None, now: datetime, expires: datetime
    ) -> None:
        with Session(self._db) as session, session.begin():
            session.add(
                InviteRow(
                    code_hash=code_hash,
                    kind=kind,
                    created_by=created_by,
                    created_at=now,
                    expires_at=expires,
                    used_at=None,
                    used_by=None,
                )
            )

    def invite(self, code_hash: str) -> InviteRecord | None:
        with Session(self._db) as session:
            row = session.get(InviteRow, code_hash)
            if row is None:
                return None
            return InviteRecord(row.kind, row.created_by, row.expires_at, row.used_at)

    def register(
        self, user: UserRecord, passkey: PasskeyRecord, code_hash: str, now: datetime
    ) -> UserRecord | RegisterFailure:
        """Spend the code and create the user with their first passkey, all or nothing. A
        setup code only works while there is no user at all."""
        try:
            with Session(self._db) as session, session.begin():
                taken = select(ApiUserRow.id).where(ApiUserRow.name == user.name)
                if session.scalars(taken).first() is not None:
                    return "name_taken"
                failure = _spend_code(session, code_hash, user.id, now)
                if failure is not None:
                    return failure
                session.add(
                    ApiUserRow(
                        id=user.id,
                        name=user.name,
                        display_name=user.display_name,
                        created_at=now,
                        disabled=False,
                    )
                )
                session.flush()
                session.add(_passkey_row(passkey))
        except IntegrityError:  # a user of that name (or that credential) came in between
            return "name_taken"
        return self.user(user.id) or user

    # -- refresh tokens -------------------------------------------------------------------

    def add_refresh(
        self, token_hash: str, family_id: str, user_id: str, now: datetime, expires: datetime
    ) -> None:
        with Session(self._db) as session, session.begin():
            session.add(_refresh_row(token_hash, family_id, user_id, now, expires))

    def rotate_refresh(self, token_hash: str, new_hash: str, now: datetime) -> Rotation:
        """Spend a refresh token for ``new_hash`` in its family. A token spent before and
        presented again revokes the whole family (its current token included). The new
        token expires when the spent one did: a family lives ``api.refresh_ttl_s`` from its
        login however often it rotates (a stolen cookie kept fresh does not live forever)."""
        with Session(self._db) as session, session.begin():
            row = session.get(RefreshTokenRow, token_hash)
            if row is None:
                return Rotation("unknown")
            family, user_id = row.family_id, row.user_id
            if row.revoked_at is not None:
                return Rotation("revoked", user_id, family)
            if row.used_at is not None:
                _revoke(session, RefreshTokenRow.family_id == family, "reuse detected", now)
                return Rotation("reused", user_id, family)
            if row.expires_at <= now:
                return Rotation("expired", user_id, family)
            spent = session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.token_hash == token_hash, RefreshTokenRow.used_at.is_(None))
                .values(used_at=now, replaced_by=new_hash)
            )
            if _count(spent) != 1:  # a concurrent request spent it first: reuse as well
                _revoke(session, RefreshTokenRow.family_id == family, "reuse detected", now)
                return Rotation("reused", user_id, family)
            expires = row.expires_at
            session.add(_refresh_row(new_hash, family, user_id, now, expires))
            return Rotation("rotated", user_id, family, expires)

    def revoke_family_of(self, token_hash: str, reason: str, now: datetime) -> str | None:
        """Revoke the family of a refresh token; the family id, or None for an unknown one."""
        with Session(self._db) as session, session.begin():
            row = session.get(RefreshTokenRow, token_hash)
            if row is None:
                return None
            family = row.family_id
            _revoke(session, RefreshTokenRow.family_id == family, reason, now)
            return family

    def refresh_usable(self, token_hash: str, now: datetime) -> bool:
        """Whether a refresh token would rotate now (unspent, unrevoked, unexpired)."""
        with Session(self._db) as session:
            row = session.get(RefreshTokenRow, token_hash)
            return (
                row is not None
                and row.used_at is None
                and row.revoked_at is None
                and row.expires_at > now
            )


def _spend_code(
    session: Session, code_hash: str, user_id: str, now: datetime
) -> Literal["code"] | None:
    """Mark an unspent, unexpired code used (a setup code only while no user exists)."""
    invite = session.get(InviteRow, code_hash)
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return "code"
    if invite.kind == "setup" and session.scalar(select(func.count()).select_from(ApiUserRow)):
        return "code"
    spent = session.execute(
        update(InviteRow)
        .where(InviteRow.code_hash == code_hash, InviteRow.used_at.is_(None))
        .values(used_at=now, used_by=user_id)
    )
    return None if _count(spent) == 1 else "code"


def _refresh_row(
    token_hash: str, family_id: str, user_id: str, now: datetime, expires: datetime
) -> RefreshTokenRow:
    return RefreshTokenRow(
        token_hash=token_hash,
        family_id=family_id,
        user_id=user_id,
        issued_at=now,
        expires_at=expires,
        used_at=None,
        replaced_by=None,
        revoked_at=None,
        revoked_reason=None,
    )


def _revoke(session: Session, where: Any, reason: str, now: datetime) -> None:
    session.execute(
        update(RefreshTokenRow)
        .where(where, RefreshTokenRow.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
