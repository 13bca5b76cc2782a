"""Trading decisions (seed 02): acted or skipped, why, sized how, with their full trace;
one decision with its signal and the orders and fills it led to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from tradebot.api.schemas.signals import SignalOut
from tradebot.api.schemas.values import Money, Out, RunPaging, Symbol, UtcTime

__all__ = [
    "CheckOut",
    "DecisionDetailOut",
    "DecisionOut",
    "DecisionsQuery",
    "FillOut",
    "OrderOut",
]


class DecisionsQuery(RunPaging):
    symbol: Symbol | None = None
    action: Literal["act", "skip"] | None = None
    start: UtcTime | None = None
    end: UtcTime | None = None


class CheckOut(Out):
    check: str
    passed: bool
    detail: str
    inputs: dict[str, Any]


class DecisionOut(Out):
    id: str
    signal_id: str
    ts: datetime
    symbol: str
    action: str
    side: str | None
    quantity: Money
    notional: Money | None
    reference_price: Money
    order_type: str
    limit_price: Money | None
    stop_price: Money | None
    stop_loss: Money | None
    take_profit: Money | None
    reason: str
    strategies: list[str]
    first_failed_check: str | None = Field(description="What stopped a skipped decision.")
    trace: list[CheckOut]


class FillOut(Out):
    fill_id: str
    ts: datetime
    side: str
    quantity: Money
    price: Money
    commission: Money


class OrderOut(Out):
    client_order_id: str
    symbol: str
    side: str
    type: str
    quantity: Money | None
    notional: Money | None
    limit_price: Money | None
    stop_price: Money | None
    status: str
    created_at: datetime
    updated_at: datetime
    broker_order_id: str | None
    reason: str
    fills: list[FillOut]


class DecisionDetailOut(DecisionOut):
    signal: SignalOut | None
    orders: list[OrderOut]
