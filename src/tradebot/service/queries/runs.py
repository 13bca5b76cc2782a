"""Runs: the list (what ``tradebot backtest list`` shows), one run in full (``backtest
show``), and which run a view reads when the caller names none.

The default run is the one the engine host drives, else the newest paper or live session
still running, else the newest run of any mode: a dashboard opened beside ``tradebot
serve`` shows what is trading now, and one opened on a backtest database its last run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tradebot.adapters.sql.models import RunRow
from tradebot.adapters.sql.types import to_utc
from tradebot.service.queries.base import NotFoundError, Paged, Reader, scrub
from tradebot.service.queries.cache import RECENT

__all__ = [
    "RunDetail",
    "RunFilter",
    "RunRef",
    "RunSummary",
    "get_run",
    "initial_cash",
    "list_runs",
    "resolve_run",
    "run_metrics",
]

_DRIVEN = ("paper", "live")
_HINT = "list the runs with GET /api/runs (or `tradebot backtest list`)"


@dataclass(frozen=True, slots=True)
class RunFilter:
    mode: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class RunSummary:
    """A run and its headline figures (None until it finishes, or where undefined)."""

    id: str
    mode: str
    status: str
    strategies: list[str]
    symbols: list[str]
    timeframe: str
    data_start: datetime | None
    data_end: datetime | None
    started_at: datetime
    finished_at: datetime | None
    total_return: float | None
    sharpe: float | None
    max_drawdown: float | None
    trades: int | None
    win_rate: float | None
    final_equity: float | None


@dataclass(frozen=True, slots=True)
class RunDetail(RunSummary):
    """A run in full: its summary, every recorded metric and what it was started with
    (URL passwords masked; the recorded settings hold no secret in clear)."""

    metrics: dict[str, Any]
    config: dict[str, Any]


def _number(metrics: dict[str, Any], key: str) -> float | None:
    value = metrics.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def summary_of(row: RunRow) -> RunSummary:
    metrics = row.metrics or {}
    trades = metrics.get("trades")
    return RunSummary(
        id=row.id,
        mode=row.mode,
        status=row.status,
        strategies=[s for s in row.strategy.split(",") if s],
        symbols=[str(s) for s in row.symbols],
        timeframe=row.timeframe,
        data_start=None if row.data_start is None else to_utc(row.data_start),
        data_end=None if row.data_end is None else to_utc(row.data_end),
        started_at=to_utc(row.started_at),
        finished_at=None if row.finished_at is None else to_utc(row.finished_at),
        total_return=_number(metrics, "total_return"),
        sharpe=_number(metrics, "sharpe"),
        max_drawdown=_number(metrics, "max_drawdown"),
        trades=trades if isinstance(trades, int) and not isinstance(trades, bool) else None,
        win_rate=_number(metrics, "win_rate"),
        final_equity=_number(metrics, "final_equity"),
    )


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(RunRow.started_at.desc(), RunRow.id.desc())


def list_runs(reader: Reader, where: RunFilter, limit: int, offset: int) -> Paged[RunSummary]:
    query = _newest_first(select(RunRow))
    if where.mode is not None:
        query = query.where(RunRow.mode == where.mode)
    if where.status is not None:
        query = query.where(RunRow.status == where.status)
    rows, total = reader.page(query, limit, offset, doing="reading the runs")
    return Paged([summary_of(r) for r in rows], total, limit, offset)


def get_run(reader: Reader, run_id: str) -> RunDetail:
    with reader.session("reading a run") as session:
        row = session.get(RunRow, run_id)
        if row is None:
            raise NotFoundError(f"no run {run_id!r} in the database", _HINT)
        summary = summary_of(row)
        return RunDetail(
            **{f.name: getattr(summary, f.name) for f in fields(summary)},
            metrics=scrub(row.metrics or {}),
            config=scrub(row.config or {}),
        )


@dataclass(frozen=True, slots=True)
class RunRef:
    """What a view needs of the run it reads (its set-up and metrics are read when due)."""

    id: str
    mode: str
    status: str
    symbols: tuple[str, ...]


_REF = (RunRow.id, RunRow.mode, RunRow.status, RunRow.symbols)


def _ref(row: Any) -> RunRef:
    return RunRef(row.id, row.mode, row.status, tuple(str(s) for s in row.symbols))


def resolve_run(session: Session, run_id: str | None, current: Callable[[], str | None]) -> RunRef:
    """The run a view reads: ``run_id`` when given (404 when unknown), else the default
    run (see the module docstring; 404 when the database holds no run at all)."""
    if run_id is None:
        run_id = current()
    memo = session.info.get(RECENT)
    if memo is None:
        return _resolve(session, run_id)
    return memo.get(("run", run_id), lambda: _resolve(session, run_id))  # type: ignore[no-any-return]


def _resolve(session: Session, run_id: str | None) -> RunRef:
    if run_id is not None:
        row = session.execute(select(*_REF).where(RunRow.id == run_id)).first()
        if row is None:
            raise NotFoundError(f"no run {run_id!r} in the database", _HINT)
        return _ref(row)
    live = session.execute(
        _newest_first(select(*_REF))
        .where(RunRow.status == "running", RunRow.mode.in_(_DRIVEN))
        .limit(1)
    ).first()
    found = live or session.execute(_newest_first(select(*_REF)).limit(1)).first()
    if found is None:
        raise NotFoundError(
            "no run in the database yet",
            "run a backtest (`tradebot backtest`) or start the engine with `tradebot serve`",
        )
    return _ref(found)


def run_metrics(session: Session, run_id: str) -> dict[str, Any]:
    """The metrics the run recorded when it finished ({} before)."""
    found = session.scalar(select(RunRow.metrics).where(RunRow.id == run_id))
    return found if isinstance(found, dict) else {}


def initial_cash(session: Session, run_id: str) -> Decimal | None:
    """The run's starting cash, from its recorded settings (else its metrics)."""
    config = RunRow.config[("settings", "broker", "initial_cash")].as_string()
    given: Any = session.scalar(select(config).where(RunRow.id == run_id))
    if given is None:
        given = run_metrics(session, run_id).get("initial_equity")
    try:
        return None if given is None else Decimal(str(given))
    except ArithmeticError:
        return None
