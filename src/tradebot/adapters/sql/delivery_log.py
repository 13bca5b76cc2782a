"""The :class:`~tradebot.ports.DeliveryLog` port in SQL: the ``notifications`` table.

Every write commits at once (an operator reading the history, or a process after a crash,
sees each notification's last status). A store that fails must not stop notifying: a write
that fails raises :class:`~tradebot.domain.errors.StoreError` in one line, and the
dispatcher, which calls it on its own thread, logs it and goes on delivering.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.sql.api_models import NotificationRow
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.notifications import DeliveryStatus, Notification

__all__ = ["SqlDeliveryLog"]

_MAX_ERROR = 500


class SqlDeliveryLog:
    """Records each notification's delivery on ``db`` (one row per notification and channel)."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def record(
        self, notification: Notification, channel: str, status: DeliveryStatus, error: str | None
    ) -> int:
        row = NotificationRow(
            ts=to_utc(notification.ts),
            channel=channel,
            event=notification.event.value,
            severity=notification.severity.value,
            title=notification.title,
            body=notification.body,
            status=status.value,
            error=_short(error),
            run_id=notification.run_id,
            attempts=0,
            correlation_id=notification.correlation_id,
        )
        try:
            with Session(self._db, expire_on_commit=False) as session, session.begin():
                session.add(row)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._db.url, "recording a notification") from exc
        return row.id

    def update(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str | None,
        attempts: int,
        delivered_at: datetime | None,
    ) -> None:
        values: dict[str, object] = {
            "status": status.value,
            "error": _short(error),
            "attempts": attempts,
        }
        if delivered_at is not None:
            values["delivered_at"] = to_utc(delivered_at)
        try:
            with self._db.begin() as connection:
                connection.execute(
                    update(NotificationRow).where(NotificationRow.id == delivery_id).values(values)
                )
        except SQLAlchemyError as exc:
            raise store_error(exc, self._db.url, "updating a notification") from exc


def _short(error: str | None) -> str | None:
    if error is None:
        return None
    line = error.strip().splitlines()[0] if error.strip() else error
    return line[:_MAX_ERROR]
