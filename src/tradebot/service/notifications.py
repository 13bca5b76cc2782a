"""Notification settings and history: the ``notifications`` section of the settings in
effect (edited through the audited :class:`~tradebot.service.config_changes.ConfigService`,
so every change is in the same trail as the rest) and the ``notifications`` table, where
each notification is recorded as sent, failed, rate-limited or pending.

The channels send through ``tradebot.ops.notify.Dispatcher``, which records each delivery
with :class:`~tradebot.adapters.sql.delivery_log.SqlDeliveryLog` on the same table;
:meth:`record` stays for a front end recording one by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.clock import utc_now
from tradebot.adapters.sql.api_models import NotificationRow
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.types import to_utc
from tradebot.config import NotificationSettings, Settings
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import get_logger
from tradebot.runtime.notify.process import ProcessNotifier
from tradebot.service.config_changes import ConfigChange, ConfigService
from tradebot.service.queries.base import Paged, Reader

__all__ = ["NotificationFilter", "NotificationRecord", "NotificationService", "follow_settings"]

_SECTION = "notifications"


@dataclass(frozen=True, slots=True)
class NotificationFilter:
    channel: str | None = None
    event: str | None = None
    status: str | None = None
    run_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    id: int
    ts: datetime
    channel: str
    event: str
    severity: str
    title: str
    body: str
    status: str
    """sent, failed, rate_limited or pending."""
    error: str | None
    run_id: str | None
    attempts: int = 0
    delivered_at: datetime | None = None
    correlation_id: str | None = None


class NotificationService:
    def __init__(
        self, db: Engine, config: ConfigService, *, now: Callable[[], datetime] = utc_now
    ) -> None:
        self._db = db
        self._config = config
        self._now = now
        self._reader = Reader(db)

    def settings(self) -> NotificationSettings:
        """The notification settings in effect."""
        return self._config.effective().notifications

    def update(
        self, changes: Mapping[str, Any], actor: str, source: str, reason: str | None = None
    ) -> list[ConfigChange]:
        """Change settings of the section by name (``{"telegram_per_hour": 5}``), audited."""
        return self._config.update(
            {f"{_SECTION}.{name}": value for name, value in changes.items()},
            actor,
            source,
            reason,
        )

    def record(
        self,
        *,
        channel: str,
        event: str,
        severity: str,
        title: str,
        body: str,
        status: str,
        error: str | None = None,
        run_id: str | None = None,
        ts: datetime | None = None,
    ) -> NotificationRecord:
        """Record one notification as handled (its time: now unless given)."""
        row = NotificationRow(
            ts=to_utc(ts or self._now()),
            channel=channel,
            event=event,
            severity=severity,
            title=title,
            body=body,
            status=status,
            error=error,
            run_id=run_id,
        )
        try:
            with Session(self._db, expire_on_commit=False) as session, session.begin():
                session.add(row)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._db.url, "recording a notification") from exc
        return _record(row)

    def history(
        self, where: NotificationFilter, limit: int, offset: int
    ) -> Paged[NotificationRecord]:
        """Notifications newest first (the ``ts`` index)."""
        conditions: list[Any] = []
        if where.channel is not None:
            conditions.append(NotificationRow.channel == where.channel)
        if where.event is not None:
            conditions.append(NotificationRow.event == where.event)
        if where.status is not None:
            conditions.append(NotificationRow.status == where.status)
        if where.run_id is not None:
            conditions.append(NotificationRow.run_id == where.run_id)
        if where.start is not None:
            conditions.append(NotificationRow.ts >= where.start)
        if where.end is not None:
            conditions.append(NotificationRow.ts <= where.end)
        query = (
            select(NotificationRow)
            .where(*conditions)
            .order_by(NotificationRow.ts.desc(), NotificationRow.id.desc())
        )
        rows, total = self._reader.page(query, limit, offset, doing="reading notifications")
        return Paged([_record(r) for r in rows], total, limit, offset)


def _record(row: NotificationRow) -> NotificationRecord:
    return NotificationRecord(
        id=row.id,
        ts=to_utc(row.ts),
        channel=row.channel,
        event=row.event,
        severity=row.severity,
        title=row.title,
        body=row.body,
        status=row.status,
        error=row.error,
        run_id=row.run_id,
        attempts=row.attempts or 0,
        delivered_at=None if row.delivered_at is None else to_utc(row.delivered_at),
        correlation_id=row.correlation_id,
    )


def follow_settings(
    notifier: ProcessNotifier,
) -> Callable[[Settings, Sequence[ConfigChange]], None]:
    """A :meth:`ConfigService.subscribe` callback: a change to the ``notifications`` section
    reaches ``notifier`` at once (channels, limits, minimum severity). A change that leaves
    a channel unusable (Telegram listed without its token) is logged in one line and the
    channels before it go on."""

    def changed(settings: Settings, changes: Sequence[ConfigChange]) -> None:
        if not any(change.path.startswith(f"{_SECTION}.") for change in changes):
            return
        try:
            notifier.apply(settings.notifications)
        except ConfigError as exc:
            get_logger("notify").error(
                "notification settings not applied", error=str(exc), hint=exc.hint
            )

    return changed
