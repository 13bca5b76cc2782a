"""Strategies: weights and their share of a run, the weight history, metrics over time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from tradebot.api.schemas.common import Page
from tradebot.api.schemas.values import Money, Out, RunId

__all__ = [
    "AdjustmentOut",
    "BucketQuery",
    "StrategiesOut",
    "StrategyBucketOut",
    "StrategyHistoryOut",
    "StrategyMetricsOut",
    "StrategyOut",
    "WeightChangeOut",
]


class StrategyOut(Out):
    name: str
    description: str
    weight: float | None = Field(description="The ensemble weight now.")
    active: bool
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    pnl: Money = Field(description="Its share of the run's closed-trade P&L.")


class StrategiesOut(Out):
    run_id: str
    items: list[StrategyOut]


class WeightChangeOut(Out):
    ts: datetime
    old_weight: float
    new_weight: float
    reason: str


class AdjustmentOut(Out):
    ts: datetime
    run_id: str | None = Field(description="Null: a user's reset.")
    old_weight: float
    new_weight: float
    reward: float
    outcomes: int
    clipped_by: str | None
    policy: str
    shadow: bool
    reason: str


class StrategyHistoryOut(Out):
    run_id: str
    name: str
    weight: float | None
    changes: Page[WeightChangeOut]
    adjustments: Page[AdjustmentOut]


class BucketQuery(BaseModel):
    run_id: RunId | None = None
    bucket: Literal["week", "month"] = "week"


class StrategyBucketOut(Out):
    start: date
    trades: int
    wins: int
    losses: int
    win_rate: float | None
    mean_return: float | None
    pnl: Money
    cumulative_pnl: Money


class StrategyMetricsOut(Out):
    run_id: str
    name: str
    bucket: str
    buckets: list[StrategyBucketOut]
