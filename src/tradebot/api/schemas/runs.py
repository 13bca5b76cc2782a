"""Runs: the list (``tradebot backtest list``) and one run in full (``backtest show``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from tradebot.api.schemas.values import Code, Out, RunPaging

__all__ = ["RunDetailOut", "RunOut", "RunsQuery"]


class RunsQuery(RunPaging):
    mode: Literal["backtest", "paper", "live"] | None = None
    status: Code | None = Field(default=None, description="running, completed, stopped, failed")


class RunOut(Out):
    """A run and its headline figures (null until it finishes, or where undefined)."""

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


class RunDetailOut(RunOut):
    """Every recorded metric and what the run was started with (no secret in clear)."""

    metrics: dict[str, Any]
    config: dict[str, Any]
