"""The notifications table through the DeliveryLog port, on SQLite and PostgreSQL: records
written in batches, a later outcome merged or updated by the sender's key, read back through
the service's history (what the API lists); a batch the store refused is kept and written
once the store is back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from tradebot.adapters.sql.delivery_log import SqlDeliveryLog
from tradebot.config import Settings
from tradebot.domain.errors import StoreError
from tradebot.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationEvent,
    Severity,
)
from tradebot.ports import DeliveryLog
from tradebot.service.config_changes import ConfigService
from tradebot.service.database import open_database
from tradebot.service.notifications import (
    NotificationFilter,
    NotificationRecord,
    NotificationService,
)

TS = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
SENT = Notification(
    NotificationEvent.ORDER_UNKNOWN,
    Severity.CRITICAL,
    "Order outcome unknown: buy MSFT",
    "looked up",
    TS,
    "r1",
    correlation_id="d7",
)


def _history(db: object, **where: str) -> list[NotificationRecord]:
    service = NotificationService(db, ConfigService(db, Settings()))  # type: ignore[arg-type]
    return list(service.history(NotificationFilter(**where), 10, 0).items)


def test_a_failed_delivery_later_sent_is_one_row_with_its_attempts(db_url: str) -> None:
    db = open_database(db_url)
    log = SqlDeliveryLog(db, flush_every_s=3600)  # only the explicit flushes write
    try:
        assert isinstance(log, DeliveryLog)
        first = log.record(SENT, "telegram", DeliveryStatus.PENDING, None)
        log.update(first, DeliveryStatus.FAILED, "telegram: connection refused\nmore", 4, None)
        limited = log.record(SENT, "email", DeliveryStatus.RATE_LIMITED, "over 20 per hour")
        assert _history(db) == []  # buffered
        log.flush()
        rows = {row.channel: row for row in _history(db)}
        assert rows["telegram"].status == "failed"
        assert rows["telegram"].error == "telegram: connection refused"  # one line
        assert (rows["telegram"].attempts, rows["telegram"].delivered_at) == (4, None)
        assert (rows["email"].status, rows["email"].attempts) == ("rate_limited", 0)
        assert first != limited
        delivered = datetime(2024, 3, 4, 15, 5, tzinfo=UTC)
        log.update(first, DeliveryStatus.SENT, None, 5, delivered)  # a written row: an UPDATE
        log.close()
        (row,) = _history(db, status="sent")
        assert (row.id, row.attempts, row.delivered_at, row.error) == (
            rows["telegram"].id,
            5,
            delivered,
            None,
        )
        assert (row.event, row.correlation_id, row.run_id) == ("order_unknown", "d7", "r1")
    finally:
        log.close()
        db.dispose()


def test_a_batch_the_store_refused_is_written_when_it_is_back(sqlite_url: str) -> None:
    db = open_database(sqlite_url)
    log = SqlDeliveryLog(db, flush_every_s=3600)
    try:
        with db.begin() as connection:
            connection.execute(text("ALTER TABLE notifications RENAME TO notifications_away"))
        key = log.record(SENT, "email", DeliveryStatus.PENDING, None)
        with pytest.raises(StoreError):
            log.flush()
        log.update(key, DeliveryStatus.SENT, None, 1, TS)  # merged into the kept row
        with db.begin() as connection:
            connection.execute(text("ALTER TABLE notifications_away RENAME TO notifications"))
        log.flush()
        (row,) = _history(db)
        assert (row.status, row.attempts, row.delivered_at) == ("sent", 1, TS)
    finally:
        log.close()
        db.dispose()
