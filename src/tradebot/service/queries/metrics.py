"""A run's performance now and day by day, computed with :mod:`tradebot.backtest.metrics`
(the figures ``tradebot backtest`` records, equal to empyrical's) from the run's recorded
snapshots and closed trades, and cached while the run does not change (:mod:`.cache`).

A finished run recorded its metrics from its full equity curve (every bar); those are what
``source: recorded`` returns. A running one is summed up from its snapshots (one per
``snapshot_interval_s``): ``source: computed``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select

from tradebot.adapters.sql import mapping
from tradebot.adapters.sql.models import ClosedTradeRow, SnapshotRow
from tradebot.adapters.sql.types import to_utc
from tradebot.backtest.metrics import summarise
from tradebot.domain.messages import ClosedTrade
from tradebot.service.queries.base import Paged, Reader
from tradebot.service.queries.cache import RunStamp, StampedCache, run_stamp
from tradebot.service.queries.runs import initial_cash, resolve_run, run_metrics

__all__ = [
    "DailyRow",
    "PerformanceView",
    "RunFigures",
    "daily_history",
    "daily_rows",
    "performance",
]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PerformanceView:
    run_id: str
    source: str
    """``recorded`` (a finished run's own metrics) or ``computed`` (from its snapshots)."""
    as_of: datetime | None
    initial_equity: Decimal | None
    final_equity: Decimal | None
    net_pnl: Decimal | None
    total_return: float | None
    cagr: float | None
    annual_volatility: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: float | None
    win_rate: float | None
    profit_factor: float | None
    trades: int
    wins: int
    losses: int
    exposure: float | None
    periods_per_year: float


@dataclass(frozen=True, slots=True)
class DailyRow:
    day: date
    equity: Decimal
    daily_return: float | None
    drawdown: float
    """Below the running peak (starting cash included), as a negative fraction."""
    trades_closed: int
    realised_pnl: Decimal
    """P&L of the trades closed that day."""


class RunFigures:
    """The cached loads and computations of one service (see the module docstring)."""

    def __init__(self, reader: Reader, size: int = 128) -> None:
        self._reader = reader
        self._cache = StampedCache(size)

    def trades(self, stamp: RunStamp) -> list[ClosedTrade]:
        """The run's closed trades, oldest exit first."""

        def load() -> list[ClosedTrade]:
            query = (
                select(ClosedTradeRow)
                .where(ClosedTradeRow.run_id == stamp.run_id)
                .order_by(ClosedTradeRow.exit_ts, ClosedTradeRow.id)
            )
            with self._reader.session("reading the closed trades") as session:
                return [mapping.closed_trade_from(r) for r in session.scalars(query)]

        return self._cache.get(("trades", stamp.run_id), stamp, load)

    def curve(self, stamp: RunStamp) -> list[tuple[datetime, Decimal]]:
        """The run's snapshots (time, equity), oldest first."""

        def load() -> list[tuple[datetime, Decimal]]:
            query = (
                select(SnapshotRow.ts, SnapshotRow.equity)
                .where(SnapshotRow.run_id == stamp.run_id)
                .order_by(SnapshotRow.ts)
            )
            with self._reader.session("reading the snapshots") as session:
                return [(to_utc(ts), equity) for ts, equity in session.execute(query)]

        return self._cache.get(("curve", stamp.run_id), stamp, load)

    def memo(self, key: tuple[Any, ...], stamp: RunStamp, build: Callable[[], Any]) -> Any:
        return self._cache.get(key, stamp, build)


def _money(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
        return Decimal(str(value)).quantize(_CENT)
    return None


def _ratio(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value):
        return float(value)
    return None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _view(run_id: str, source: str, as_of: datetime | None, m: dict[str, Any]) -> PerformanceView:
    return PerformanceView(
        run_id=run_id,
        source=source,
        as_of=as_of,
        initial_equity=_money(m.get("initial_equity")),
        final_equity=_money(m.get("final_equity")),
        net_pnl=_money(m.get("net_pnl")),
        total_return=_ratio(m.get("total_return")),
        cagr=_ratio(m.get("annual_return")),
        annual_volatility=_ratio(m.get("annual_volatility")),
        sharpe=_ratio(m.get("sharpe")),
        sortino=_ratio(m.get("sortino")),
        calmar=_ratio(m.get("calmar")),
        max_drawdown=_ratio(m.get("max_drawdown")),
        win_rate=_ratio(m.get("win_rate")),
        profit_factor=_ratio(m.get("profit_factor")),
        trades=_count(m.get("trades")),
        wins=_count(m.get("wins")),
        losses=_count(m.get("losses")),
        exposure=_ratio(m.get("exposure")),
        periods_per_year=_ratio(m.get("periods_per_year")) or 252.0,
    )


def performance(
    reader: Reader, figures: RunFigures, run_id: str | None, current: Callable[[], str | None]
) -> PerformanceView:
    with reader.session("reading the run's performance") as session:
        run = resolve_run(session, run_id, current)
        stamp = run_stamp(session, run)
    as_of = None if stamp.last_snapshot is None else to_utc(stamp.last_snapshot)

    def compute() -> PerformanceView:
        with reader.session("reading the run's metrics") as session:
            recorded = run_metrics(session, run.id)
            start = initial_cash(session, run.id)
        if run.status != "running" and recorded:
            return _view(run.id, "recorded", as_of, recorded)
        curve = figures.curve(stamp)
        if start is None:
            start = curve[0][1] if curve else Decimal(0)
        metrics = summarise(
            [ts for ts, _ in curve],
            np.array([float(e) for _, e in curve], dtype=np.float64),
            figures.trades(stamp),
            float(start) or 1.0,
            _ratio(recorded.get("periods_per_year")) or 252.0,
        )
        return _view(run.id, "computed", as_of, metrics)

    view: PerformanceView = figures.memo(("performance", run.id), stamp, compute)
    return view


def daily_rows(
    start: Decimal | None, curve: list[tuple[datetime, Decimal]], trades: list[ClosedTrade]
) -> list[DailyRow]:
    """One row per UTC day with a snapshot, oldest first (see :class:`DailyRow`)."""
    last_of_day: dict[date, Decimal] = {}
    for ts, equity in curve:
        last_of_day[ts.date()] = equity
    closed: dict[date, tuple[int, Decimal]] = {}
    for trade in trades:
        day = to_utc(trade.exit_ts).date()
        count, pnl = closed.get(day, (0, Decimal(0)))
        closed[day] = (count + 1, pnl + trade.pnl)
    rows: list[DailyRow] = []
    previous = start
    peak = start if start is not None else None
    for day, equity in last_of_day.items():
        peak = equity if peak is None else max(peak, equity)
        count, pnl = closed.get(day, (0, Decimal(0)))
        rows.append(
            DailyRow(
                day=day,
                equity=equity,
                daily_return=float(equity / previous - 1) if previous else None,
                drawdown=float(equity / peak - 1) if peak else 0.0,
                trades_closed=count,
                realised_pnl=pnl,
            )
        )
        previous = equity
    return rows


def daily_history(
    reader: Reader,
    figures: RunFigures,
    run_id: str | None,
    current: Callable[[], str | None],
    start: date | None,
    end: date | None,
    limit: int,
    offset: int,
) -> Paged[DailyRow]:
    """The run's days, newest first, between ``start`` and ``end`` (inclusive)."""
    with reader.session("reading the run's history") as session:
        run = resolve_run(session, run_id, current)
        stamp = run_stamp(session, run)

    def compute() -> list[DailyRow]:
        with reader.session("reading the run's set-up") as session:
            start = initial_cash(session, run.id)
        return daily_rows(start, figures.curve(stamp), figures.trades(stamp))

    rows: list[DailyRow] = figures.memo(("daily", run.id), stamp, compute)
    picked = [
        r
        for r in reversed(rows)
        if (start is None or r.day >= start) and (end is None or r.day <= end)
    ]
    return Paged(picked[offset : offset + limit], len(picked), limit, offset)
