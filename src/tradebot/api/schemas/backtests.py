"""Shapes of ``/api/backtests``: the request (every field bounded), the job, its result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradebot.api.schemas.portfolio import EquityPointOut
from tradebot.api.schemas.trades import TradeOut
from tradebot.api.schemas.values import Name, Symbol
from tradebot.domain.enums import Timeframe
from tradebot.risk.tiers import TierName as RiskTier
from tradebot.service.backtest_spec import BacktestSpec
from tradebot.service.backtests import BacktestView

__all__ = [
    "BacktestAccepted",
    "BacktestIn",
    "BacktestItem",
    "BacktestOut",
    "ProgressOut",
]

_FIRST_DAY = date(1970, 1, 1)
_LAST_DAY = date(2100, 12, 31)
Day = Annotated[date, Field(ge=_FIRST_DAY, le=_LAST_DAY)]
ParamValue = (
    Annotated[str, StringConstraints(max_length=100)]
    | Annotated[int, Field(ge=-(10**9), le=10**9)]
    | Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
    | bool
)
Status = Literal["queued", "running", "completed", "failed", "cancelled"]


class BacktestIn(BaseModel):
    """A backtest as ``tradebot backtest`` takes it; unset fields are the settings'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbols: list[Symbol] = Field(min_length=1, max_length=50)
    start: Day = Field(description="First day (UTC).")
    end: Day = Field(description="Last day (UTC), included.")
    timeframe: Timeframe = Timeframe.D1
    strategies: list[Name] = Field(
        default_factory=list, max_length=20, description="Default: strategy.names."
    )
    weights: dict[Name, Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]] | None = Field(
        default=None, max_length=20, description="Starting weight of every strategy."
    )
    params: dict[Name, dict[Name, ParamValue]] = Field(
        default_factory=dict, max_length=20, description="Strategy parameters by strategy."
    )
    initial_capital: (
        Annotated[Decimal, Field(gt=0, le=Decimal(10) ** 12, allow_inf_nan=False)] | None
    ) = None
    commission_rate: (
        Annotated[Decimal, Field(ge=0, le=Decimal("0.1"), allow_inf_nan=False)] | None
    ) = None
    slippage_bps: Annotated[Decimal, Field(ge=0, le=1000, allow_inf_nan=False)] | None = None
    news: bool = Field(default=False, description="Replay the bundled tweets (2014-2015).")
    learning: bool | None = Field(default=None, description="Default: learning.enabled.")
    risk_tier: RiskTier | None = Field(
        default=None, description="The risk engine's tier for this run. Default: risk.tier."
    )
    dataset: Literal["equities_daily", "stocknet"] | None = Field(
        default=None, description="A bundled data set; default: data.dir, else equities_daily."
    )

    def spec(self) -> BacktestSpec:
        return BacktestSpec(
            symbols=tuple(self.symbols),
            start=self.start,
            end=self.end,
            timeframe=self.timeframe,
            strategies=tuple(self.strategies),
            weights=self.weights,
            params={name: dict(values) for name, values in self.params.items()},
            initial_capital=self.initial_capital,
            commission_rate=self.commission_rate,
            slippage_bps=self.slippage_bps,
            news=self.news,
            learning=self.learning,
            risk_tier=self.risk_tier,
            dataset=self.dataset,
        )


class ProgressOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    done: int = Field(description="Bars replayed.")
    total: int | None = Field(default=None, description="Bars to replay, warm-up included.")
    percent: float | None = None


class BacktestAccepted(BaseModel):
    """A job queued: poll ``GET /api/backtests/{id}``."""

    model_config = ConfigDict(frozen=True)

    id: str
    run_id: str | None = Field(default=None, description="Known once the worker started it.")
    status: Status


class BacktestItem(BaseModel):
    """One backtest in the list (headline numbers only)."""

    model_config = ConfigDict(frozen=True)

    id: str
    run_id: str | None = None
    status: Status
    error: str | None = None
    progress: ProgressOut | None = None
    submitted_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    symbols: list[str]
    strategies: list[str]
    total_return: float | None = None
    sharpe: float | None = None
    max_drawdown: float | None = None
    trade_count: int | None = Field(default=None, description="Closed trades.")

    @classmethod
    def of(cls, view: BacktestView) -> BacktestItem:
        return cls.model_validate(_common(view) | _headline(view))


class BacktestOut(BacktestItem):
    """One backtest: its status and progress, and once it ran, its metrics, a page of its
    trades (``next_trades`` links the next page) and its equity curve."""

    timeframe: str | None = None
    data_start: datetime | None = None
    data_end: datetime | None = None
    metrics: dict[str, Any] | None = None
    trades: list[TradeOut] = Field(
        default_factory=list,
        description="A page of its trades in the order they closed (as /api/trades shows them).",
    )
    trades_offset: int = 0
    next_trades: str | None = Field(default=None, description="The next page of trades.")
    equity: list[EquityPointOut] = Field(
        default_factory=list, description="Its equity curve, oldest first, at most 2000 points."
    )


def _common(view: BacktestView) -> dict[str, Any]:
    run = view.run
    progress = view.progress
    return {
        "id": view.id,
        "run_id": view.run_id,
        "status": view.status,
        "error": view.error,
        "progress": None
        if progress is None
        else {"done": progress.done, "total": progress.total, "percent": progress.percent},
        "submitted_at": view.submitted_at,
        "started_at": None if run is None else run.started_at,
        "finished_at": None if run is None else run.finished_at,
        "symbols": list(view.symbols),
        "strategies": list(view.strategies),
    }


def _headline(view: BacktestView) -> dict[str, Any]:
    run = view.run
    return {
        "total_return": None if run is None else run.total_return,
        "sharpe": None if run is None else run.sharpe,
        "max_drawdown": None if run is None else run.max_drawdown,
        "trade_count": None if run is None else run.trades,
    }
