"""Trading decisions: one per signal, acted on or skipped, with the reason, the sizing, the
stops, the strategies behind it and the full trace of checks that decided it; one decision
with its signal and the orders (and fills) it led to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tradebot.adapters.sql.models import DecisionRow, FillRow, OrderRow, SignalRow
from tradebot.adapters.sql.types import to_utc
from tradebot.service.queries.base import NotFoundError, Paged, Reader
from tradebot.service.queries.cache import table_stamp
from tradebot.service.queries.runs import resolve_run
from tradebot.service.queries.signals import SignalView, signal_view

__all__ = [
    "CheckView",
    "DecisionDetail",
    "DecisionFilter",
    "DecisionView",
    "FillView",
    "OrderView",
    "decision_view",
    "get_decision",
    "list_decisions",
]


@dataclass(frozen=True, slots=True)
class DecisionFilter:
    symbol: str | None = None
    action: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class CheckView:
    """One check of a decision's trace: passed or not, why, and what it looked at."""

    check: str
    passed: bool
    detail: str
    inputs: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: str
    signal_id: str
    ts: datetime
    symbol: str
    action: str
    side: str | None
    quantity: Decimal
    notional: Decimal | None
    reference_price: Decimal
    order_type: str
    limit_price: Decimal | None
    stop_price: Decimal | None
    stop_loss: Decimal | None
    take_profit: Decimal | None
    reason: str
    strategies: list[str]
    first_failed_check: str | None
    """The check that stopped a skipped decision (None when every check passed)."""
    trace: list[CheckView]


@dataclass(frozen=True, slots=True)
class FillView:
    fill_id: str
    ts: datetime
    side: str
    quantity: Decimal
    price: Decimal
    commission: Decimal


@dataclass(frozen=True, slots=True)
class OrderView:
    client_order_id: str
    symbol: str
    side: str
    type: str
    quantity: Decimal | None
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    status: str
    created_at: datetime
    updated_at: datetime
    broker_order_id: str | None
    reason: str
    fills: list[FillView]


@dataclass(frozen=True, slots=True)
class DecisionDetail(DecisionView):
    signal: SignalView | None
    orders: list[OrderView]


def _check(raw: Any) -> CheckView:
    doc = raw if isinstance(raw, dict) else {}
    inputs = doc.get("inputs")
    return CheckView(
        check=str(doc.get("check", "")),
        passed=bool(doc.get("passed", False)),
        detail=str(doc.get("detail", "")),
        inputs=inputs if isinstance(inputs, dict) else {},
    )


def decision_view(row: DecisionRow) -> DecisionView:
    trace = [_check(c) for c in row.trace]
    return DecisionView(
        id=row.id,
        signal_id=row.signal_id,
        ts=to_utc(row.ts),
        symbol=row.symbol,
        action=row.action,
        side=row.side,
        quantity=row.quantity,
        notional=row.notional,
        reference_price=row.reference_price,
        order_type=row.order_type,
        limit_price=row.limit_price,
        stop_price=row.stop_price,
        stop_loss=row.stop_loss,
        take_profit=row.take_profit,
        reason=row.reason,
        strategies=[str(s) for s in row.strategies],
        first_failed_check=next((c.check for c in trace if not c.passed), None),
        trace=trace,
    )


def list_decisions(
    reader: Reader,
    run_id: str | None,
    current: Callable[[], str | None],
    f: DecisionFilter,
    limit: int,
    offset: int,
) -> Paged[DecisionView]:
    """Newest first (the (run_id, ts) index; (symbol, ts) with a symbol)."""
    with reader.session("reading the decisions") as session:
        run = resolve_run(session, run_id, current)
        where: list[Any] = [DecisionRow.run_id == run.id]
        if f.symbol is not None:
            where.append(DecisionRow.symbol == f.symbol)
        if f.action is not None:
            where.append(DecisionRow.action == f.action)
        if f.start is not None:
            where.append(DecisionRow.ts >= f.start)
        if f.end is not None:
            where.append(DecisionRow.ts <= f.end)
        query = select(DecisionRow).where(*where)
        rows, total = reader.page_in(
            session,
            query.order_by(DecisionRow.ts.desc(), DecisionRow.id.desc()),
            limit,
            offset,
            key=("decisions", run.id, f),
            stamp=table_stamp(session, DecisionRow.run_id, DecisionRow.ts, run.id),
        )
    return Paged([decision_view(r) for r in rows], total, limit, offset)


def _fill(row: FillRow) -> FillView:
    return FillView(row.fill_id, to_utc(row.ts), row.side, row.quantity, row.price, row.commission)


def get_decision(
    reader: Reader, run_id: str | None, current: Callable[[], str | None], decision_id: str
) -> DecisionDetail:
    with reader.session("reading a decision") as session:
        run = resolve_run(session, run_id, current)
        row = session.get(DecisionRow, (run.id, decision_id))
        if row is None:
            raise NotFoundError(
                f"no decision {decision_id!r} in run {run.id}",
                "list the decisions with GET /api/trading/decisions",
            )
        signal = session.get(SignalRow, (run.id, row.signal_id))
        orders = session.scalars(
            select(OrderRow)
            .where(OrderRow.run_id == run.id, OrderRow.decision_id == decision_id)
            .order_by(OrderRow.created_at, OrderRow.client_order_id)
        ).all()
        views = []
        for order in orders:
            fills = session.scalars(
                select(FillRow)
                .where(FillRow.run_id == run.id, FillRow.client_order_id == order.client_order_id)
                .order_by(FillRow.ts, FillRow.fill_id)
            )
            views.append(
                OrderView(
                    client_order_id=order.client_order_id,
                    symbol=order.symbol,
                    side=order.side,
                    type=order.type,
                    quantity=order.quantity,
                    notional=order.notional,
                    limit_price=order.limit_price,
                    stop_price=order.stop_price,
                    status=order.status,
                    created_at=to_utc(order.created_at),
                    updated_at=to_utc(order.updated_at),
                    broker_order_id=order.broker_order_id,
                    reason=order.reason,
                    fills=[_fill(f) for f in fills],
                )
            )
        view = decision_view(row)
        return DecisionDetail(
            **{f.name: getattr(view, f.name) for f in fields(view)},
            signal=None if signal is None else signal_view(signal),
            orders=views,
        )
