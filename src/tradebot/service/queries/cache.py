"""A small cache for what takes a whole run to compute (metrics, attribution, daily
history, the total of a filtered list), kept while the run has not changed.

Each entry is stored with a *stamp* of what it was computed from — for a run's figures
its status, newest snapshot and newest closed trades; for a list's total the newest rows
of its table (a few index lookups): a finished run is computed once, a running one again
when a bar closes or a trade does, never per request. Safe from any
thread; two requests racing on a cold entry may both compute it (same result).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from threading import Lock
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradebot.adapters.clock import monotonic
from tradebot.adapters.sql.models import ClosedTradeRow, SnapshotRow

if TYPE_CHECKING:
    from tradebot.service.queries.runs import RunRef

__all__ = ["RECENT", "Recent", "RunStamp", "StampedCache", "run_stamp", "table_stamp"]

RECENT = "tradebot.recent"
"""The key of a read session's :class:`Recent` memo in ``Session.info`` (set by the
:class:`~tradebot.service.queries.base.Reader` that opened it)."""


class Recent:
    """Answers to the small questions every read asks first — which run is the default,
    what its stamps are — kept for ``ttl_s`` seconds (0: not kept).

    At 200 requests a second those lookups were most of a request's queries; kept for a
    quarter of a second, a view may show a run up to that much behind the store (a bar's
    figures appear a quarter of a second later), never a wrong run's. Safe from any thread."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = monotonic) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = Lock()
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        if self._ttl_s <= 0:
            return build()
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self._ttl_s:
                kept: T = found[1]
                return kept
        value = build()
        with self._lock:
            if len(self._entries) > 1024:
                self._entries.clear()
            self._entries[key] = (now, value)
        return value


def _recent(session: Session, key: Hashable, build: Callable[[], T]) -> T:
    memo = session.info.get(RECENT)
    return build() if memo is None else memo.get(key, build)


T = TypeVar("T")


class RunStamp(NamedTuple):
    run_id: str
    status: str
    last_snapshot: datetime | None
    trades: Hashable
    """The closed trades' :func:`table_stamp`."""


def run_stamp(session: Session, run: RunRef) -> RunStamp:
    return _recent(session, ("run_stamp", run.id, run.status), lambda: _run_stamp(session, run))


def _run_stamp(session: Session, run: RunRef) -> RunStamp:
    last_snapshot = session.scalar(
        select(func.max(SnapshotRow.ts)).where(SnapshotRow.run_id == run.id)
    )
    trades = table_stamp(session, ClosedTradeRow.run_id, ClosedTradeRow.exit_ts, run.id)
    return RunStamp(run.id, run.status, last_snapshot, trades)


def table_stamp(session: Session, run_column: Any, ts_column: Any, run_id: str) -> Hashable:
    """What changes when rows are added to a run's table: its newest time and how many
    rows share it (two lookups on the table's (run_id, ts) index). The count of a page's
    filters is kept under it: a list does not COUNT a 100,000-row run per request."""
    key = ("table", str(run_column), run_id)
    return _recent(session, key, lambda: _table_stamp(session, run_column, ts_column, run_id))


def _table_stamp(session: Session, run_column: Any, ts_column: Any, run_id: str) -> Hashable:
    newest = session.scalar(select(func.max(ts_column)).where(run_column == run_id))
    if newest is None:
        return (run_id, None, 0)
    at_newest = session.scalar(
        select(func.count()).where(run_column == run_id, ts_column == newest)
    )
    return (run_id, newest, at_newest)


class StampedCache:
    """At most ``size`` computed values, each valid for one stamp (a :class:`RunStamp`,
    a :func:`table_stamp`)."""

    def __init__(self, size: int = 128) -> None:
        self._size = size
        self._lock = Lock()
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()

    def get(self, key: Hashable, stamp: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key`` computed for ``stamp``; built (and kept) when missing
        or computed for an older stamp."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] == stamp:
                self._entries.move_to_end(key)
                value: T = found[1]
                return value
        value = build()
        with self._lock:
            self._entries[key] = (stamp, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value
