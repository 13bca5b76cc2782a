"""Strategies: their ensemble weights (learned across runs), their share of a run's closed
trades, the history of their weight and how they did over time.

A trade's P&L is split equally between the strategies that opened it, as in
:func:`tradebot.backtest.metrics.strategy_attribution` (what ``backtest show`` prints), so
the strategies' P&L adds up to the run's; each contributor counts the whole trade in its
trade, win and loss counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import fmean
from typing import Any, Literal

from sqlalchemy import or_, select

from tradebot.adapters.sql.models import StrategyRow, WeightAdjustmentRow, WeightChangeRow
from tradebot.adapters.sql.types import to_utc
from tradebot.backtest.metrics import strategy_attribution
from tradebot.domain.messages import ClosedTrade
from tradebot.service.queries.base import NotFoundError, Paged, Reader
from tradebot.service.queries.cache import run_stamp
from tradebot.service.queries.metrics import RunFigures
from tradebot.service.queries.runs import resolve_run

__all__ = [
    "AdjustmentView",
    "Bucket",
    "StrategyBucket",
    "StrategyHistory",
    "StrategyMetrics",
    "StrategyView",
    "WeightChangeView",
    "builtin_descriptions",
    "list_strategies",
    "strategy_buckets",
    "strategy_history",
    "strategy_metrics",
]

Bucket = Literal["week", "month"]
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StrategyView:
    name: str
    description: str
    weight: float | None
    """The ensemble weight now (None: the strategy traded in the run but is not
    registered)."""
    active: bool
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    pnl: Decimal
    """Its share of the run's closed-trade P&L."""


@dataclass(frozen=True, slots=True)
class WeightChangeView:
    ts: datetime
    old_weight: float
    new_weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    ts: datetime
    run_id: str | None
    """None: a user's reset, which belongs to no run."""
    old_weight: float
    new_weight: float
    reward: float
    outcomes: int
    clipped_by: str | None
    policy: str
    shadow: bool
    reason: str


@dataclass(frozen=True, slots=True)
class StrategyHistory:
    run_id: str
    name: str
    weight: float | None
    changes: Paged[WeightChangeView]
    """Applied weight changes (any run), newest first."""
    adjustments: Paged[AdjustmentView]
    """The learning engine's adjustments in the run (shadow ones too) and users' resets,
    newest first."""


@dataclass(frozen=True, slots=True)
class StrategyBucket:
    start: date
    """The bucket's first day (a Monday, or the 1st of the month)."""
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    mean_return: float | None
    pnl: Decimal
    cumulative_pnl: Decimal


@dataclass(frozen=True, slots=True)
class StrategyMetrics:
    run_id: str
    name: str
    bucket: str
    buckets: list[StrategyBucket]


def builtin_descriptions() -> dict[str, str]:
    """What each built-in strategy does, in its own words (the registry's)."""
    from tradebot.strategies.registry import load_registry  # the strategies' modules: lazily

    registry = load_registry(None)
    return {name: registry.specs[name].description for name in registry.names()}


def list_strategies(
    reader: Reader,
    figures: RunFigures,
    run_id: str | None,
    current: Callable[[], str | None],
    descriptions: Callable[[], Mapping[str, str]] = dict,
) -> tuple[str, list[StrategyView]]:
    """Every registered strategy (and any other that traded in the run), by name; a
    strategy registered without a description gets the registry's."""
    with reader.session("reading the strategies") as session:
        run = resolve_run(session, run_id, current)
        stamp = run_stamp(session, run)
        known = {r.name: r for r in session.scalars(select(StrategyRow))}
    shares = figures.memo(
        ("attribution", run.id), stamp, lambda: strategy_attribution(figures.trades(stamp))
    )
    described = descriptions()
    views = []
    for name in sorted(set(known) | set(shares)):
        row, share = known.get(name), shares.get(name)
        trades = share.trades if share else 0
        views.append(
            StrategyView(
                name=name,
                description=(row.description if row else "") or described.get(name, ""),
                weight=row.weight if row else None,
                active=row.active if row else False,
                trades=trades,
                wins=share.wins if share else 0,
                losses=share.losses if share else 0,
                win_rate=share.wins / trades if share and trades else None,
                pnl=share.pnl if share else _ZERO,
            )
        )
    return run.id, views


def _unknown(name: str) -> NotFoundError:
    return NotFoundError(f"no strategy {name!r}", "list the strategies with GET /api/strategies")


def strategy_history(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    name: str,
    limit: int,
    offset: int,
) -> StrategyHistory:
    with reader.session("reading a strategy's history") as session:
        run = resolve_run(session, run_id, current)
        row = session.scalar(select(StrategyRow).where(StrategyRow.name == name))
        adjusted = select(WeightAdjustmentRow).where(
            WeightAdjustmentRow.strategy == name,
            or_(WeightAdjustmentRow.run_id == run.id, WeightAdjustmentRow.run_id.is_(None)),
        )
        if row is None and session.scalar(adjusted.limit(1)) is None:
            raise _unknown(name)
        changed = (
            select(WeightChangeRow)
            .where(WeightChangeRow.strategy_id == (-1 if row is None else row.id))
            .order_by(WeightChangeRow.ts.desc(), WeightChangeRow.id.desc())
        )
        changes, changes_total = reader.page_in(session, changed, limit, offset)
        adjusted = adjusted.order_by(WeightAdjustmentRow.ts.desc(), WeightAdjustmentRow.id.desc())
        adjustments, adjustments_total = reader.page_in(session, adjusted, limit, offset)
    return StrategyHistory(
        run_id=run.id,
        name=name,
        weight=None if row is None else row.weight,
        changes=Paged(
            [WeightChangeView(to_utc(c.ts), c.old_weight, c.new_weight, c.reason) for c in changes],
            changes_total,
            limit,
            offset,
        ),
        adjustments=Paged(
            [
                AdjustmentView(
                    ts=to_utc(a.ts),
                    run_id=a.run_id,
                    old_weight=a.old_weight,
                    new_weight=a.new_weight,
                    reward=a.reward,
                    outcomes=a.outcomes,
                    clipped_by=a.clipped_by,
                    policy=a.policy,
                    shadow=a.shadow,
                    reason=a.reason,
                )
                for a in adjustments
            ],
            adjustments_total,
            limit,
            offset,
        ),
    )


def _bucket_start(day: date, bucket: str) -> date:
    return day - timedelta(days=day.weekday()) if bucket == "week" else day.replace(day=1)


def strategy_buckets(trades: Sequence[ClosedTrade], name: str, bucket: str) -> list[StrategyBucket]:
    """How the trades ``name`` contributed to did, bucketed by exit day, oldest first."""
    grouped: dict[date, list[tuple[Decimal, float]]] = {}
    for trade in trades:
        named = tuple(dict.fromkeys(trade.strategies))
        if name not in named:
            continue
        start = _bucket_start(to_utc(trade.exit_ts).date(), bucket)
        grouped.setdefault(start, []).append((trade.pnl / len(named), trade.return_pct))
    out: list[StrategyBucket] = []
    cumulative = _ZERO
    for start in sorted(grouped):
        results = grouped[start]
        pnl = sum((p for p, _ in results), _ZERO)
        cumulative += pnl
        wins = sum(1 for p, _ in results if p > 0)
        out.append(
            StrategyBucket(
                start=start,
                trades=len(results),
                wins=wins,
                losses=sum(1 for p, _ in results if p < 0),
                win_rate=wins / len(results),
                mean_return=fmean(r for _, r in results),
                pnl=pnl,
                cumulative_pnl=cumulative,
            )
        )
    return out


def strategy_metrics(
    reader: Reader,
    figures: RunFigures,
    run_id: str | None,
    current: Callable[[], str | None],
    name: str,
    bucket: str,
) -> StrategyMetrics:
    with reader.session("reading a strategy's metrics") as session:
        run = resolve_run(session, run_id, current)
        stamp = run_stamp(session, run)
        registered = session.scalar(select(StrategyRow.id).where(StrategyRow.name == name))
    trades = figures.trades(stamp)
    if registered is None and not any(name in t.strategies for t in trades):
        raise _unknown(name)
    key: tuple[Any, ...] = ("buckets", run.id, name, bucket)
    buckets = figures.memo(key, stamp, lambda: strategy_buckets(trades, name, bucket))
    return StrategyMetrics(run.id, name, bucket, buckets)
