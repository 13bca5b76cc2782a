"""Closed trades: the list with its filters, and one trade with everything behind it — the
decisions that opened and closed it (with their full traces), the signal that started it
and each strategy's part in it, the scored news about the symbol in the days before the
entry, and what the learning engine made of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tradebot.adapters.sql.models import ClosedTradeRow, DecisionRow, SignalRow, TradeOutcomeRow
from tradebot.adapters.sql.types import to_utc
from tradebot.service.queries.base import (
    NotFoundError,
    Paged,
    Reader,
    json_list_has,
    money_sign_above_zero,
)
from tradebot.service.queries.cache import table_stamp
from tradebot.service.queries.decisions import DecisionView, decision_view
from tradebot.service.queries.news import NewsItem, news_before
from tradebot.service.queries.runs import resolve_run
from tradebot.service.queries.signals import SignalView, signal_view

__all__ = [
    "NEWS_WINDOW",
    "OutcomeView",
    "TradeDetail",
    "TradeFilter",
    "TradeView",
    "get_trade",
    "list_trades",
]

NEWS_WINDOW = timedelta(days=3)
"""How far before a trade's entry its news context reaches."""
NEWS_LIMIT = 50


@dataclass(frozen=True, slots=True)
class TradeFilter:
    """Which trades: ``start``/``end`` bound the exit time (when the trade closed)."""

    symbol: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    strategy: str | None = None
    profitable: bool | None = None
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class TradeView:
    id: str
    symbol: str
    direction: str
    quantity: Decimal
    entry_ts: datetime
    exit_ts: datetime
    entry_price: Decimal
    exit_price: Decimal
    pnl: Decimal
    commission: Decimal
    borrow_cost: Decimal
    return_pct: float
    hold_seconds: float
    strategies: list[str]
    entry_decision_id: str
    exit_decision_id: str


@dataclass(frozen=True, slots=True)
class OutcomeView:
    """The trade as the learning engine evaluated it (R multiple, signed contributions)."""

    closed_at: datetime
    pnl: Decimal
    return_pct: float
    hold_seconds: float
    risk_adjusted: float
    contributions: dict[str, float]
    direction: int
    signal_id: str | None


@dataclass(frozen=True, slots=True)
class TradeDetail(TradeView):
    entry_decision: DecisionView | None
    exit_decision: DecisionView | None
    signal: SignalView | None
    contributions: dict[str, float]
    """Each strategy's signed part in the entry signal (the learning engine's, when the
    trade was evaluated; else the signal's own)."""
    news: list[NewsItem]
    outcome: OutcomeView | None


def trade_view(row: ClosedTradeRow) -> TradeView:
    return TradeView(
        id=row.id,
        symbol=row.symbol,
        direction=row.direction,
        quantity=row.quantity,
        entry_ts=to_utc(row.entry_ts),
        exit_ts=to_utc(row.exit_ts),
        entry_price=row.entry_price,
        exit_price=row.exit_price,
        pnl=row.pnl,
        commission=row.commission,
        borrow_cost=row.borrow_cost,
        return_pct=row.return_pct,
        hold_seconds=row.hold_seconds,
        strategies=[str(s) for s in row.strategies],
        entry_decision_id=row.entry_decision_id,
        exit_decision_id=row.exit_decision_id,
    )


def _where(run_id: str, f: TradeFilter) -> list[Any]:
    where: list[Any] = [ClosedTradeRow.run_id == run_id]
    if f.symbol is not None:
        where.append(ClosedTradeRow.symbol == f.symbol)
    if f.start is not None:
        where.append(ClosedTradeRow.exit_ts >= f.start)
    if f.end is not None:
        where.append(ClosedTradeRow.exit_ts <= f.end)
    if f.strategy is not None:
        where.append(json_list_has(ClosedTradeRow.strategies, f.strategy))
    if f.profitable is not None:
        above = money_sign_above_zero(ClosedTradeRow.pnl)
        where.append(above if f.profitable else ~above)
    if f.direction is not None:
        where.append(ClosedTradeRow.direction == f.direction)
    return where


def list_trades(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    where: TradeFilter,
    limit: int,
    offset: int,
    *,
    oldest_first: bool = False,
) -> Paged[TradeView]:
    """Newest exit first (the (run_id, exit_ts) index); ``oldest_first``: in the order
    they closed, as a backtest's report lists them."""
    t = ClosedTradeRow
    order = (t.exit_ts, t.id) if oldest_first else (t.exit_ts.desc(), t.id.desc())
    with reader.session("reading the trades") as session:
        run = resolve_run(session, run_id, current)
        query = select(t).where(*_where(run.id, where)).order_by(*order)
        rows, total = reader.page_in(
            session,
            query,
            limit,
            offset,
            key=("trades", run.id, where),
            stamp=table_stamp(session, ClosedTradeRow.run_id, ClosedTradeRow.exit_ts, run.id),
        )
    return Paged([trade_view(r) for r in rows], total, limit, offset)


def _outcome(row: TradeOutcomeRow | None) -> OutcomeView | None:
    if row is None:
        return None
    return OutcomeView(
        closed_at=to_utc(row.closed_at),
        pnl=row.pnl,
        return_pct=row.return_pct,
        hold_seconds=row.hold_seconds,
        risk_adjusted=row.risk_adjusted,
        contributions={str(k): float(v) for k, v in row.contributions.items()},
        direction=row.direction,
        signal_id=row.signal_id,
    )


def get_trade(
    reader: Reader, run_id: str | None, current: Callable[[], str | None], trade_id: str
) -> TradeDetail:
    with reader.session("reading a trade") as session:
        run = resolve_run(session, run_id, current)
        row = session.get(ClosedTradeRow, (run.id, trade_id))
        if row is None:
            raise NotFoundError(
                f"no trade {trade_id!r} in run {run.id}", "list the trades with GET /api/trades"
            )
        entry = session.get(DecisionRow, (run.id, row.entry_decision_id))
        exit_ = session.get(DecisionRow, (run.id, row.exit_decision_id))
        signal = None if entry is None else session.get(SignalRow, (run.id, entry.signal_id))
        outcome = _outcome(session.get(TradeOutcomeRow, (run.id, trade_id)))
        news = news_before(session, row.symbol, to_utc(row.entry_ts), NEWS_WINDOW, NEWS_LIMIT)
        view = trade_view(row)
        signal_view_ = None if signal is None else signal_view(signal)
        if outcome is not None and outcome.contributions:
            contributions = outcome.contributions
        else:
            contributions = {} if signal_view_ is None else signal_view_.contributions
        return TradeDetail(
            **{f.name: getattr(view, f.name) for f in fields(view)},
            entry_decision=None if entry is None else decision_view(entry),
            exit_decision=None if exit_ is None else decision_view(exit_),
            signal=signal_view_,
            contributions=contributions,
            news=news,
            outcome=outcome,
        )
