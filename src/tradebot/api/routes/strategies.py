"""``/api/strategies`` (seed 01): weights and run shares, weight history, metrics over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import READ_ERRORS
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.strategies import (
    BucketQuery,
    StrategiesOut,
    StrategyHistoryOut,
    StrategyMetricsOut,
)
from tradebot.api.schemas.values import RunId, RunPaging

__all__ = ["router"]

router = APIRouter(
    prefix="/api/strategies", tags=["strategies"], route_class=OffloadedRoute, responses=READ_ERRORS
)
StrategyName = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,100}$")]


@router.get("", response_model=StrategiesOut)
def list_strategies(
    services: ServicesDep, _: CurrentUser, run_id: Annotated[RunId | None, Query()] = None
) -> StrategiesOut:
    """Every strategy, by name: its weight now and its closed trades, win rate and P&L in
    the run."""
    run, items = services.queries.strategies(run_id)
    return StrategiesOut.model_validate({"run_id": run, "items": items})


@router.get("/{name}/history", response_model=StrategyHistoryOut)
def get_history(
    services: ServicesDep, _: CurrentUser, name: StrategyName, q: Annotated[RunPaging, Query()]
) -> StrategyHistoryOut:
    """Its applied weight changes, and the learning engine's adjustments in the run (with
    reward, guardrail, policy and shadow), newest first."""
    found = services.queries.strategy_history(name, q.run_id, q.limit, q.offset)
    return StrategyHistoryOut.model_validate(found, from_attributes=True)


@router.get("/{name}/metrics", response_model=StrategyMetricsOut)
def get_metrics(
    services: ServicesDep, _: CurrentUser, name: StrategyName, q: Annotated[BucketQuery, Query()]
) -> StrategyMetricsOut:
    """How the trades it opened did, per week or month of exit: trades, win rate, mean
    return, P&L and cumulative P&L."""
    found = services.queries.strategy_metrics(name, q.bucket, q.run_id)
    return StrategyMetricsOut.model_validate(found)
