"""The risk engine's tables: its state document, its history records, imported earnings dates.

State and history are written through the store's buffer like every other record (one
upsert per run for the state, insert-or-ignore for history records, whose ids derive from
their content); earnings dates are imported in one transaction of their own, since they
belong to no run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.mapping import Row
from tradebot.adapters.sql.models import EarningsDateRow, RiskEventRow, RiskStateRow
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.errors import StoreError
from tradebot.ports import RiskCheckpoint, StateDocument
from tradebot.risk.earnings import EarningsCalendar
from tradebot.risk.events import RiskEvent
from tradebot.risk.records import decode_event, encode_event

__all__ = [
    "checkpoint_from",
    "event_from",
    "import_earnings",
    "read_earnings",
    "risk_event_rows",
    "risk_state_row",
]

_CHUNK = 500


def risk_state_row(run_id: str, as_of: datetime, state: StateDocument) -> Row:
    try:
        when = to_utc(as_of)
    except ValueError as exc:
        raise StoreError(f"cannot save the risk state of run {run_id!r}: {exc}", "") from exc
    return {"run_id": run_id, "as_of": when, "state": state}


def checkpoint_from(row: RiskStateRow) -> RiskCheckpoint:
    return RiskCheckpoint(to_utc(row.as_of), dict(row.state))


def risk_event_rows(run_id: str, events: Sequence[RiskEvent]) -> list[Row]:
    rows = []
    for event in events:
        record = encode_event(event)
        rows.append(
            {
                "run_id": run_id,
                "id": record.id,
                "kind": record.kind,
                "ts": to_utc(record.ts),
                "symbol": record.symbol,
                "payload": record.payload,
            }
        )
    return rows


def event_from(row: RiskEventRow) -> RiskEvent:
    return decode_event(row.kind, dict(row.payload))


def import_earnings(
    engine: Engine,
    url: str,
    insert: Callable[[Table], Any],
    calendar: EarningsCalendar,
    source: str,
    ts: datetime,
) -> int:
    """Add the calendar's dates (a date known before keeps its first source); return how
    many were new. One transaction, committed before returning."""
    known = {s: set(days) for s, days in read_earnings(engine, url).dates.items()}
    rows = [
        {"symbol": symbol, "day": day, "source": source[:200], "imported_at": to_utc(ts)}
        for symbol, days in sorted(calendar.dates.items())
        for day in days
        if day not in known.get(symbol, ())
    ]
    if not rows:
        return 0
    table = EarningsDateRow.__table__
    assert isinstance(table, Table)
    statement = insert(table).on_conflict_do_nothing(index_elements=["symbol", "day"])
    try:
        with engine.begin() as connection:
            for lo in range(0, len(rows), _CHUNK):
                connection.execute(statement, rows[lo : lo + _CHUNK])
    except SQLAlchemyError as exc:
        raise store_error(exc, url, f"importing {len(rows)} earnings dates") from exc
    return len(rows)


def read_earnings(engine: Engine, url: str) -> EarningsCalendar:
    """Every imported earnings date, as a calendar."""
    collected: dict[str, list[Any]] = {}
    try:
        with engine.connect() as connection:
            query = select(EarningsDateRow.symbol, EarningsDateRow.day).order_by(
                EarningsDateRow.symbol, EarningsDateRow.day
            )
            for symbol, day in connection.execute(query):
                collected.setdefault(symbol, []).append(day)
    except SQLAlchemyError as exc:
        raise store_error(exc, url, "reading imported earnings dates") from exc
    return EarningsCalendar({s: tuple(days) for s, days in collected.items()})
