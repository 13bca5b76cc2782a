"""The portfolio (seed 01): value, cash, buying power and daily P&L; open positions; the
equity curve over a period."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from tradebot.api.schemas.values import Money, Out, RunId

__all__ = [
    "EquityHistoryOut",
    "EquityPointOut",
    "HistoryQuery",
    "PortfolioOut",
    "PositionOut",
    "PositionsOut",
]


class PortfolioOut(Out):
    run_id: str
    as_of: datetime | None = Field(description="The newest snapshot (null before the first).")
    equity: Money
    cash: Money
    buying_power: Money = Field(description="Cash less the risk engine's reserve pool.")
    reserve: Money
    positions_value: Money
    open_positions: int
    realised_pnl: Money
    daily_pnl: Money = Field(description="Against the previous day's last snapshot.")
    daily_pnl_pct: float | None
    initial_equity: Money | None


class PositionOut(Out):
    symbol: str
    side: str
    quantity: Money
    avg_price: Money
    last_price: Money
    market_value: Money
    cost_basis: Money
    unrealized_pnl: Money
    unrealized_pnl_pct: float | None
    opened_at: datetime
    entry_decision_id: str
    strategies: list[str]
    stop_loss: Money | None = Field(
        description="The risk engine's stop now (it trails and tightens), else the one the "
        "entry set; null: none recorded."
    )
    take_profit: Money | None = Field(
        description="The risk engine's take-profit now, else the one the entry set."
    )
    sector: str = Field(description='From the bundled sector table; "Unknown" when unlisted.')
    micro: bool = Field(description="Opened as a micro trade (intraday, automatic exit).")


class PositionsOut(Out):
    run_id: str
    items: list[PositionOut]


class HistoryQuery(BaseModel):
    run_id: RunId | None = None
    period: Literal["1D", "1W", "1M", "3M", "6M", "1Y", "ALL"] = Field(
        default="1M", description="Back from the run's newest snapshot."
    )
    max_points: int = Field(default=1000, ge=2, le=5000, description="Thinned evenly above.")


class EquityPointOut(Out):
    ts: datetime
    equity: Money
    cash: Money
    positions_value: Money
    realised_pnl: Money


class EquityHistoryOut(Out):
    run_id: str
    period: str
    start: datetime | None
    end: datetime | None
    points: list[EquityPointOut]
    downsampled: bool
