"""The :class:`~tradebot.ports.DeliveryLog` port in SQL: the ``notifications`` table,
written in batches.

The dispatcher's workers share the database with the trading loop, which commits every
record of a paper or live run at once. A write per notification would take the database's
write lock between two of the loop's commits — on SQLite a commit that meets it waits in
the driver's busy handler (1 to 100 ms) — so records are buffered and written together, one
transaction every ``flush_every_s`` (half a second) by a daemon thread: a few lock
acquisitions a second whatever the rate of notifications.

- ``record`` returns at once with a key the sender chose (random, 62 bits; the table's
  ``delivery_key``, unique), so a later ``update`` needs no round trip: an update to a row
  still in the buffer is merged into it, one to a written row becomes an ``UPDATE``.
- Nothing raises to the sender. A batch that fails is kept (up to ``max_buffered`` rows,
  oldest inserts dropped first) and written with the next one; the failure is logged once
  per outage.
- :meth:`flush` writes now (``wait_idle`` and ``close`` of the dispatcher call it); :meth:`close`
  flushes and stops the thread.
"""

from __future__ import annotations

import secrets
import threading
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.sql.api_models import NotificationRow
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.notifications import DeliveryStatus, Notification
from tradebot.ops.logging import get_logger

__all__ = ["SqlDeliveryLog"]

_MAX_ERROR: Final = 500
_log = get_logger("notify")


class SqlDeliveryLog:
    """Records each notification's delivery on ``db`` (module docstring)."""

    def __init__(
        self, db: Engine, *, flush_every_s: float = 0.5, max_buffered: int = 10_000
    ) -> None:
        if flush_every_s <= 0 or max_buffered < 1:
            raise ValueError("flush_every_s must be positive and max_buffered at least 1")
        self._db = db
        self._every_s = flush_every_s
        self._max = max_buffered
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._inserts: dict[int, dict[str, Any]] = {}
        self._updates: dict[int, dict[str, Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    def record(
        self, notification: Notification, channel: str, status: DeliveryStatus, error: str | None
    ) -> int:
        key = secrets.randbits(62)
        row = {
            "ts": to_utc(notification.ts),
            "channel": channel,
            "event": notification.event.value,
            "severity": notification.severity.value,
            "title": notification.title,
            "body": notification.body,
            "status": status.value,
            "error": _short(error),
            "run_id": notification.run_id,
            "attempts": 0,
            "delivered_at": None,
            "correlation_id": notification.correlation_id,
            "delivery_key": key,
        }
        with self._lock:
            self._inserts[key] = row
            while len(self._inserts) + len(self._updates) > self._max and self._inserts:
                del self._inserts[next(iter(self._inserts))]
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="notify-records", daemon=True
                )
                self._thread.start()
        return key

    def update(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        error: str | None,
        attempts: int,
        delivered_at: datetime | None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status.value,
            "error": _short(error),
            "attempts": attempts,
        }
        if delivered_at is not None:
            values["delivered_at"] = to_utc(delivered_at)
        with self._lock:
            buffered = self._inserts.get(delivery_id)
            if buffered is not None:
                buffered.update(values)
            else:
                self._updates.setdefault(delivery_id, {}).update(values)

    def flush(self) -> None:
        """Write the buffer now; :class:`~tradebot.domain.errors.StoreError` when it could
        not be (the rows stay buffered)."""
        with self._writing:
            with self._lock:
                inserts, self._inserts = self._inserts, {}
                updates, self._updates = self._updates, {}
            if not inserts and not updates:
                return
            try:
                with self._db.begin() as connection:
                    if inserts:
                        connection.execute(insert(NotificationRow), list(inserts.values()))
                    for key, values in updates.items():
                        connection.execute(
                            update(NotificationRow)
                            .where(NotificationRow.delivery_key == key)
                            .values(values)
                        )
            except SQLAlchemyError as exc:
                with self._lock:  # keep them, before anything that came meanwhile
                    self._inserts = {**inserts, **self._inserts}
                    for key, values in updates.items():
                        self._updates[key] = {**values, **self._updates.get(key, {})}
                raise store_error(exc, self._db.url, "recording notifications") from exc

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(5.0)
        try:
            self.flush()
        except Exception as exc:
            _log.warning("notification records lost at close", error=str(exc))

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self.flush()
            except Exception as exc:
                if not self._failing:
                    _log.warning("notification records not written yet", error=str(exc))
                self._failing = True
                continue
            self._failing = False


def _short(error: str | None) -> str | None:
    if error is None:
        return None
    line = error.strip().splitlines()[0] if error.strip() else error
    return line[:_MAX_ERROR]
