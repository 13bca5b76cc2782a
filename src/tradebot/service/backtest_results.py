"""A finished (or running) backtest as the database holds it: its run row, a page of its
closed trades, its equity curve — read through the service layer's pool, so a backtest
started by the CLI shows the same as one started over the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.models import ClosedTradeRow, RunRow, SnapshotRow
from tradebot.adapters.sql.types import to_utc

__all__ = ["MAX_POINTS", "EquityPoint", "ResultReader", "RunSummary", "TradeRow"]

MAX_POINTS = 2000
"""An equity curve longer than this is thinned evenly (its last point always kept)."""


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: str
    mode: str
    status: str
    strategy: str
    symbols: tuple[str, ...]
    timeframe: str
    data_start: datetime | None
    data_end: datetime | None
    started_at: datetime
    finished_at: datetime | None
    metrics: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class TradeRow:
    id: str
    symbol: str
    direction: str
    quantity: Decimal
    entry_time: datetime
    exit_time: datetime
    entry_price: Decimal
    exit_price: Decimal
    pnl: Decimal
    commission: Decimal
    return_pct: float
    strategies: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EquityPoint:
    ts: datetime
    equity: Decimal


class ResultReader:
    """Reads of backtest runs on ``db`` (every failure one :class:`StoreError` line)."""

    def __init__(self, db: Engine, url: str) -> None:
        self._db = db
        self._url = url

    def _rows(self, what: str, query: Any) -> list[Any]:
        """Rows of a Core query (tuples)."""
        try:
            with Session(self._db) as session:
                return list(session.execute(query).all())
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, what) from exc

    def _count(self, what: str, query: Any) -> int:
        return int(self._rows(what, query)[0][0])

    def run(self, run_id: str) -> RunSummary | None:
        rows = self._rows(f"reading run {run_id!r}", select(RunRow).where(RunRow.id == run_id))
        return None if not rows else _summary(rows[0][0])

    def backtests(self, limit: int, offset: int) -> tuple[list[RunSummary], int]:
        """Backtest runs, newest first, and how many there are."""
        where = RunRow.mode == "backtest"
        query = (
            select(RunRow)
            .where(where)
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(limit)
            .offset(offset)
        )
        rows = self._rows("reading the backtests", query)
        count = select(func.count()).select_from(RunRow).where(where)
        return [_summary(row[0]) for row in rows], self._count("counting the backtests", count)

    def trades(self, run_id: str, limit: int, offset: int) -> tuple[list[TradeRow], int]:
        """The run's closed trades in the order they closed, and how many there are."""
        t = ClosedTradeRow
        query = (
            select(t)
            .where(t.run_id == run_id)
            .order_by(t.exit_ts, t.symbol, t.entry_ts, t.id)
            .limit(limit)
            .offset(offset)
        )
        rows = self._rows(f"reading the trades of run {run_id!r}", query)
        count = select(func.count()).select_from(t).where(t.run_id == run_id)
        total = self._count(f"counting the trades of run {run_id!r}", count)
        return [_trade(row[0]) for row in rows], total

    def equity(self, run_id: str) -> list[EquityPoint]:
        """The run's equity curve from its snapshots, thinned to :data:`MAX_POINTS`."""
        s = SnapshotRow
        query = select(s.ts, s.equity).where(s.run_id == run_id).order_by(s.ts)
        rows = self._rows(f"reading the equity of run {run_id!r}", query)
        points = [EquityPoint(to_utc(ts), Decimal(equity)) for ts, equity in rows]
        if len(points) <= MAX_POINTS:
            return points
        step = len(points) / (MAX_POINTS - 1)
        thinned = [points[int(i * step)] for i in range(MAX_POINTS - 1)]
        return [*thinned, points[-1]]


def _summary(row: RunRow) -> RunSummary:
    return RunSummary(
        run_id=row.id,
        mode=row.mode,
        status=row.status,
        strategy=row.strategy,
        symbols=tuple(str(s) for s in row.symbols or ()),
        timeframe=row.timeframe,
        data_start=None if row.data_start is None else to_utc(row.data_start),
        data_end=None if row.data_end is None else to_utc(row.data_end),
        started_at=to_utc(row.started_at),
        finished_at=None if row.finished_at is None else to_utc(row.finished_at),
        metrics=None if row.metrics is None else dict(row.metrics),
    )


def _trade(row: ClosedTradeRow) -> TradeRow:
    return TradeRow(
        id=row.id,
        symbol=row.symbol,
        direction=row.direction,
        quantity=row.quantity,
        entry_time=to_utc(row.entry_ts),
        exit_time=to_utc(row.exit_ts),
        entry_price=row.entry_price,
        exit_price=row.exit_price,
        pnl=row.pnl,
        commission=row.commission,
        return_pct=row.return_pct,
        strategies=tuple(str(s) for s in row.strategies or ()),
    )
