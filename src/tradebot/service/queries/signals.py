"""Signals: what the ensemble asked for, bar by bar, with each strategy's signed share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from tradebot.adapters.sql.models import SignalRow
from tradebot.adapters.sql.types import to_utc
from tradebot.service.queries.base import Paged, Reader
from tradebot.service.queries.cache import table_stamp
from tradebot.service.queries.runs import resolve_run

__all__ = ["SignalFilter", "SignalView", "list_signals", "signal_view"]


@dataclass(frozen=True, slots=True)
class SignalFilter:
    symbol: str | None = None
    direction: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    min_strength: float | None = None


@dataclass(frozen=True, slots=True)
class SignalView:
    id: str
    ts: datetime
    symbol: str
    direction: str
    strength: float
    confidence: float
    price: float
    sources: dict[str, float]
    """Each strategy's opinion (strength) that went into the ensemble."""
    contributions: dict[str, float]
    """Each strategy's signed share of the ensemble score."""


def _floats(doc: dict[str, Any]) -> dict[str, float]:
    return {str(k): float(v) for k, v in doc.items() if isinstance(v, int | float)}


def signal_view(row: SignalRow) -> SignalView:
    return SignalView(
        id=row.id,
        ts=to_utc(row.ts),
        symbol=row.symbol,
        direction=row.direction,
        strength=row.strength,
        confidence=row.confidence,
        price=row.price,
        sources=_floats(row.sources),
        contributions=_floats(row.contributions),
    )


def list_signals(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    f: SignalFilter,
    limit: int,
    offset: int,
) -> Paged[SignalView]:
    """Newest first (the (run_id, ts) index)."""
    with reader.session("reading the signals") as session:
        run = resolve_run(session, run_id, current)
        where: list[Any] = [SignalRow.run_id == run.id]
        if f.symbol is not None:
            where.append(SignalRow.symbol == f.symbol)
        if f.direction is not None:
            where.append(SignalRow.direction == f.direction)
        if f.start is not None:
            where.append(SignalRow.ts >= f.start)
        if f.end is not None:
            where.append(SignalRow.ts <= f.end)
        if f.min_strength is not None:
            where.append(SignalRow.strength >= f.min_strength)
        query = select(SignalRow).where(*where)
        rows, total = reader.page_in(
            session,
            query.order_by(SignalRow.ts.desc(), SignalRow.id.desc()),
            limit,
            offset,
            key=("signals", run.id, f),
            stamp=table_stamp(session, SignalRow.run_id, SignalRow.ts, run.id),
        )
    return Paged([signal_view(r) for r in rows], total, limit, offset)
