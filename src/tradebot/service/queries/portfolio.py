"""The portfolio of a run: its value now, its open positions, and its equity over a period.

Everything comes from what the engine recorded: the newest portfolio snapshot (value, cash,
realised P&L), the saved open positions (marked at their last price), the risk engine's
reserve pool (cash the engine keeps out of trading) and the snapshots for the curve. Money
stays ``Decimal``.

A position's stop-loss and take-profit are the risk engine's *current* levels from the
run's saved risk state (they trail and tighten after the entry), else the levels its entry
decision set; whether it is a micro trade comes from the same two places (the levels' flag,
else a passed ``micro-trading`` check in the entry's trace). Its sector is the bundled
sector table's, the one the risk engine caps sectors with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradebot.adapters.sql import mapping
from tradebot.adapters.sql.models import DecisionRow, PositionRow, RiskStateRow, SnapshotRow
from tradebot.adapters.sql.types import to_utc
from tradebot.data.reference import bundled_sectors
from tradebot.domain.enums import Direction
from tradebot.risk.sectors import SectorTable
from tradebot.service.queries.base import Reader
from tradebot.service.queries.runs import initial_cash, resolve_run

__all__ = [
    "PERIODS",
    "EquityHistory",
    "EquityPoint",
    "Period",
    "PortfolioOverview",
    "PositionView",
    "equity_history",
    "overview",
    "positions",
]

Period = Literal["1D", "1W", "1M", "3M", "6M", "1Y", "ALL"]
PERIODS: dict[str, timedelta | None] = {
    "1D": timedelta(days=1),
    "1W": timedelta(weeks=1),
    "1M": timedelta(days=30),
    "3M": timedelta(days=91),
    "6M": timedelta(days=182),
    "1Y": timedelta(days=365),
    "ALL": None,
}
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PortfolioOverview:
    run_id: str
    as_of: datetime | None
    """The newest snapshot's time (None before the first one: the figures are then the
    starting cash)."""
    equity: Decimal
    cash: Decimal
    buying_power: Decimal
    """Cash the engine may spend: cash less the risk engine's reserve pool."""
    reserve: Decimal
    positions_value: Decimal
    open_positions: int
    realised_pnl: Decimal
    daily_pnl: Decimal
    """Equity now less equity at the previous day's last snapshot (the starting cash on
    the first day)."""
    daily_pnl_pct: float | None
    initial_equity: Decimal | None


@dataclass(frozen=True, slots=True)
class PositionView:
    symbol: str
    side: str
    quantity: Decimal
    avg_price: Decimal
    last_price: Decimal
    market_value: Decimal
    """Held shares at the mark; owed shares (a short) count negative."""
    cost_basis: Decimal
    unrealized_pnl: Decimal
    """What the price move made since entry (commissions not included)."""
    unrealized_pnl_pct: float | None
    opened_at: datetime
    entry_decision_id: str
    strategies: list[str]
    stop_loss: Decimal | None = None
    """The risk engine's stop now (it trails), else the entry decision's; None: neither."""
    take_profit: Decimal | None = None
    sector: str = "Unknown"
    micro: bool = False
    """Opened as a micro trade (intraday, its own caps and an automatic exit)."""


@dataclass(frozen=True, slots=True)
class _Levels:
    """What the store says about a position's protection: the risk state's levels, else
    the entry decision's."""

    stop_loss: Decimal | None
    take_profit: Decimal | None
    micro: bool


_MICRO_CHECK = "micro-trading"
"""The check the risk engine adds to a micro entry's trace (:mod:`tradebot.risk.entry_path`)."""
_NO_LEVELS = _Levels(None, None, False)


@dataclass(frozen=True, slots=True)
class EquityPoint:
    ts: datetime
    equity: Decimal
    cash: Decimal
    positions_value: Decimal
    realised_pnl: Decimal


@dataclass(frozen=True, slots=True)
class EquityHistory:
    run_id: str
    period: str
    start: datetime | None
    end: datetime | None
    points: list[EquityPoint]
    downsampled: bool
    """True when the period held more snapshots than asked for: every k-th is kept (and
    the last), so the curve keeps its shape."""


def _latest(session: Session, run_id: str, before: datetime | None = None) -> SnapshotRow | None:
    query = select(SnapshotRow).where(SnapshotRow.run_id == run_id)
    if before is not None:
        query = query.where(SnapshotRow.ts < before)
    return session.scalar(query.order_by(SnapshotRow.ts.desc()).limit(1))


def _reserve(session: Session, run_id: str) -> Decimal:
    balance = session.scalar(
        select(RiskStateRow.state[("reserve", "balance")].as_string()).where(
            RiskStateRow.run_id == run_id
        )
    )
    try:
        return Decimal(balance) if balance else _ZERO
    except ArithmeticError:
        return _ZERO


def overview(
    reader: Reader, run_id: str | None, current: Callable[[], str | None]
) -> PortfolioOverview:
    with reader.session("reading the portfolio") as session:
        run = resolve_run(session, run_id, current)
        start = initial_cash(session, run.id)
        last = _latest(session, run.id)
        reserve = _reserve(session, run.id)
        if last is None:  # nothing recorded yet: the starting cash, unchanged today
            cash = start if start is not None else _ZERO
            return PortfolioOverview(
                run_id=run.id,
                as_of=None,
                equity=cash,
                cash=cash,
                buying_power=max(cash - reserve, _ZERO),
                reserve=reserve,
                positions_value=_ZERO,
                open_positions=0,
                realised_pnl=_ZERO,
                daily_pnl=_ZERO,
                daily_pnl_pct=0.0 if cash else None,
                initial_equity=start,
            )
        as_of = to_utc(last.ts)
        before = _latest(session, run.id, as_of.replace(hour=0, minute=0, second=0, microsecond=0))
        reference = before.equity if before is not None else start
        daily = last.equity - reference if reference is not None else _ZERO
        return PortfolioOverview(
            run_id=run.id,
            as_of=as_of,
            equity=last.equity,
            cash=last.cash,
            buying_power=max(last.cash - reserve, _ZERO),
            reserve=reserve,
            positions_value=last.positions_value,
            open_positions=last.open_positions,
            realised_pnl=last.realised_pnl,
            daily_pnl=daily,
            daily_pnl_pct=float(daily / reference) if reference else None,
            initial_equity=start,
        )


@cache
def _sectors() -> SectorTable:
    return bundled_sectors()


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except ArithmeticError:
        return None


def _current_levels(session: Session, run_id: str) -> dict[str, _Levels]:
    """The risk engine's levels by symbol, as the run last saved its state (only the
    ``stops`` part of the document is read)."""
    stops = session.scalar(select(RiskStateRow.state["stops"]).where(RiskStateRow.run_id == run_id))
    if not isinstance(stops, Mapping):
        return {}
    found: dict[str, _Levels] = {}
    for symbol, levels in stops.items():
        if isinstance(levels, Mapping):
            found[str(symbol)] = _Levels(
                _decimal(levels.get("stop_loss")),
                _decimal(levels.get("take_profit")),
                levels.get("is_micro") is True,
            )
    return found


def _micro_entry(trace: object) -> bool:
    return isinstance(trace, list) and any(
        isinstance(c, Mapping) and c.get("check") == _MICRO_CHECK and c.get("passed") is True
        for c in trace
    )


def _entry_levels(session: Session, run_id: str, ids: Iterable[str]) -> dict[str, _Levels]:
    """The levels the entry decisions ``ids`` set, by decision id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(DecisionRow.id, DecisionRow.stop_loss, DecisionRow.take_profit, DecisionRow.trace)
        .where(DecisionRow.run_id == run_id)
        .where(DecisionRow.id.in_(wanted))
    )
    return {r.id: _Levels(r.stop_loss, r.take_profit, _micro_entry(r.trace)) for r in rows}


def _position(row: PositionRow, levels: _Levels) -> PositionView:
    position = mapping.position_from(row)
    cost = position.avg_price * position.quantity
    move = position.last_price - position.avg_price
    pnl = move * position.quantity if position.side is Direction.LONG else -move * position.quantity
    return PositionView(
        symbol=position.symbol,
        side=position.side.value,
        quantity=position.quantity,
        avg_price=position.avg_price,
        last_price=position.last_price,
        market_value=position.market_value,
        cost_basis=cost,
        unrealized_pnl=pnl,
        unrealized_pnl_pct=float(pnl / cost) if cost else None,
        opened_at=to_utc(position.opened_at),
        entry_decision_id=position.entry_decision_id,
        strategies=list(position.strategies),
        stop_loss=levels.stop_loss,
        take_profit=levels.take_profit,
        sector=_sectors().sector(position.symbol),
        micro=levels.micro,
    )


def positions(
    reader: Reader, run_id: str | None, current: Callable[[], str | None]
) -> tuple[str, list[PositionView]]:
    """The run's open positions as last saved, by symbol (a book holds a few dozen), with
    their stops, sector and micro flag (module docstring)."""
    with reader.session("reading the positions") as session:
        run = resolve_run(session, run_id, current)
        rows = list(
            session.scalars(
                select(PositionRow).where(PositionRow.run_id == run.id).order_by(PositionRow.symbol)
            )
        )
        if not rows:
            return run.id, []
        current_levels = _current_levels(session, run.id)
        entries = _entry_levels(
            session, run.id, (r.entry_decision_id for r in rows if r.symbol not in current_levels)
        )
        return run.id, [
            _position(
                r, current_levels.get(r.symbol) or entries.get(r.entry_decision_id, _NO_LEVELS)
            )
            for r in rows
        ]


def equity_history(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    period: str,
    max_points: int,
) -> EquityHistory:
    """The snapshots of ``period`` before the run's newest one, oldest first, at most
    ``max_points`` of them (evenly thinned in SQL when there are more)."""
    with reader.session("reading the equity history") as session:
        run = resolve_run(session, run_id, current)
        last = _latest(session, run.id)
        if last is None:
            return EquityHistory(run.id, period, None, None, [], False)
        end = to_utc(last.ts)
        span = PERIODS[period]
        where: list[Any] = [SnapshotRow.run_id == run.id]
        if span is not None:
            where.append(SnapshotRow.ts >= end - span)
        count = session.scalar(select(func.count()).select_from(SnapshotRow).where(*where)) or 0
        step = 1 if count <= max_points else -(-count // (max(max_points, 2) - 1))
        numbered = (
            select(SnapshotRow, func.row_number().over(order_by=SnapshotRow.ts).label("n"))
            .where(*where)
            .subquery()
        )
        kept = select(numbered).where(((numbered.c.n - 1) % step == 0) | (numbered.c.n == count))
        rows = session.execute(kept.order_by(numbered.c.ts)).all()
        points = [
            EquityPoint(to_utc(r.ts), r.equity, r.cash, r.positions_value, r.realised_pnl)
            for r in rows
        ]
        start = points[0].ts if points else None
        return EquityHistory(run.id, period, start, end, points, step > 1)
