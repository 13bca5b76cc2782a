"""The notifications table through the DeliveryLog port, on SQLite and PostgreSQL: a record
and its later outcome read back through the service's history (what the API lists)."""

from __future__ import annotations

from datetime import UTC, datetime

from tradebot.adapters.sql.delivery_log import SqlDeliveryLog
from tradebot.config import Settings
from tradebot.domain.notifications import (
    DeliveryStatus,
    Notification,
    NotificationEvent,
    Severity,
)
from tradebot.ports import DeliveryLog
from tradebot.service.config_changes import ConfigService
from tradebot.service.database import open_database
from tradebot.service.notifications import NotificationFilter, NotificationService

TS = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def test_a_failed_delivery_later_sent_is_one_row_with_its_attempts(db_url: str) -> None:
    db = open_database(db_url)
    try:
        log = SqlDeliveryLog(db)
        assert isinstance(log, DeliveryLog)
        sent = Notification(
            NotificationEvent.ORDER_UNKNOWN,
            Severity.CRITICAL,
            "Order outcome unknown: buy MSFT",
            "looked up",
            TS,
            "r1",
            correlation_id="d7",
        )
        first = log.record(sent, "telegram", DeliveryStatus.PENDING, None)
        log.update(first, DeliveryStatus.FAILED, "telegram: connection refused\nmore", 4, None)
        limited = log.record(sent, "email", DeliveryStatus.RATE_LIMITED, "over 20 per hour")
        history = NotificationService(db, ConfigService(db, Settings()))
        rows = history.history(NotificationFilter(), 10, 0).items
        by_id = {row.id: row for row in rows}
        assert by_id[first].status == "failed"
        assert by_id[first].error == "telegram: connection refused"  # one line
        assert by_id[first].attempts == 4 and by_id[first].delivered_at is None
        assert by_id[limited].status == "rate_limited" and by_id[limited].attempts == 0
        delivered = datetime(2024, 3, 4, 15, 5, tzinfo=UTC)
        log.update(first, DeliveryStatus.SENT, None, 5, delivered)
        again = NotificationService(db, ConfigService(db, Settings()))
        row = next(r for r in again.history(NotificationFilter(status="sent"), 10, 0).items)
        assert (row.id, row.attempts, row.delivered_at, row.error) == (first, 5, delivered, None)
        assert (row.event, row.correlation_id, row.run_id) == ("order_unknown", "d7", "r1")
    finally:
        db.dispose()
