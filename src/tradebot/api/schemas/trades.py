"""Closed trades: the list with filters, and one trade with its decisions, signal, news,
strategy contributions and learning outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tradebot.api.schemas.decisions import DecisionOut
from tradebot.api.schemas.news import NewsItemOut
from tradebot.api.schemas.signals import SignalOut
from tradebot.api.schemas.values import Money, Name, Out, RunPaging, Symbol, UtcTime

__all__ = ["OutcomeOut", "TradeDetailOut", "TradeOut", "TradesQuery"]


class TradesQuery(RunPaging):
    symbol: Symbol | None = None
    start: UtcTime | None = Field(default=None, description="Closed at or after.")
    end: UtcTime | None = Field(default=None, description="Closed at or before.")
    strategy: Name | None = Field(default=None, description="One of the trade's strategies.")
    profitable: bool | None = Field(default=None, description="P&L above zero, or not.")
    direction: Literal["long", "short"] | None = None


class TradeOut(Out):
    id: str
    symbol: str
    direction: str
    quantity: Money
    entry_ts: datetime
    exit_ts: datetime
    entry_price: Money
    exit_price: Money
    pnl: Money
    commission: Money
    borrow_cost: Money
    return_pct: float
    hold_seconds: float
    strategies: list[str]
    entry_decision_id: str
    exit_decision_id: str


class OutcomeOut(Out):
    """The trade as the learning engine evaluated it."""

    closed_at: datetime
    pnl: Money
    return_pct: float
    hold_seconds: float
    risk_adjusted: float = Field(description="The R multiple.")
    contributions: dict[str, float]
    direction: int
    signal_id: str | None


class TradeDetailOut(TradeOut):
    entry_decision: DecisionOut | None
    exit_decision: DecisionOut | None
    signal: SignalOut | None
    contributions: dict[str, float] = Field(
        description="Each strategy's signed part in the entry signal."
    )
    news: list[NewsItemOut] = Field(
        description="Scored news about the symbol in the 3 days before entry, newest first."
    )
    outcome: OutcomeOut | None
