"""Users, passkeys, challenges, refresh tokens and invitations of the HTTP API, on the
service layer's engine (:mod:`tradebot.adapters.sql.api_models` has the tables).

Each method is one short transaction; every method is safe to call from any thread."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tradebot.adapters.sql.api_models import ApiUserRow

__all__ = ["AuthRows", "UserRecord"]

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    name: str
    display_name: str
    created_at: datetime
    disabled: bool


def _user(row: ApiUserRow) -> UserRecord:
    return UserRecord(row.id, row.name, row.display_name, row.created_at, row.disabled)


class AuthRows:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def add_user(self, name: str, display_name: str, now: datetime) -> UserRecord:
        row = ApiUserRow(
            id=f"usr-{secrets.token_hex(8)}",
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
        found = self.user(user_id)
        return None if found is None or found.disabled else found.name
