"""Performance (seed 02): the figures now and day by day."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from tradebot.api.schemas.values import Money, Out, RunPaging

__all__ = ["DailyRowOut", "MetricsHistoryQuery", "PerformanceOut"]


class PerformanceOut(Out):
    run_id: str
    source: str = Field(description="recorded (a finished run's own) or computed.")
    as_of: datetime | None
    initial_equity: Money | None
    final_equity: Money | None
    net_pnl: Money | None
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


class MetricsHistoryQuery(RunPaging):
    start: date | None = None
    end: date | None = None


class DailyRowOut(Out):
    day: date
    equity: Money
    daily_return: float | None
    drawdown: float
    trades_closed: int
    realised_pnl: Money = Field(description="P&L of the trades closed that day.")
