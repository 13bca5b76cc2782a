"""``/api/portfolio`` (seed 01): value and daily P&L, open positions, the equity curve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import READ_ERRORS
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.portfolio import (
    EquityHistoryOut,
    HistoryQuery,
    PortfolioOut,
    PositionsOut,
)
from tradebot.api.schemas.values import RunId

__all__ = ["router"]

router = APIRouter(
    prefix="/api/portfolio", tags=["portfolio"], route_class=OffloadedRoute, responses=READ_ERRORS
)
RunQuery = Annotated[RunId | None, Query()]


@router.get("", response_model=PortfolioOut)
def get_portfolio(services: ServicesDep, _: CurrentUser, run_id: RunQuery = None) -> PortfolioOut:
    """Value, cash, buying power, realised and daily P&L as of the newest snapshot."""
    return PortfolioOut.model_validate(services.queries.portfolio(run_id))


@router.get("/positions", response_model=PositionsOut)
def get_positions(services: ServicesDep, _: CurrentUser, run_id: RunQuery = None) -> PositionsOut:
    """The open positions, marked at their last price, by symbol."""
    run, items = services.queries.positions(run_id)
    return PositionsOut.model_validate({"run_id": run, "items": items})


@router.get("/history", response_model=EquityHistoryOut)
def get_history(
    services: ServicesDep, _: CurrentUser, q: Annotated[HistoryQuery, Query()]
) -> EquityHistoryOut:
    """The equity curve over ``period`` back from the newest snapshot, oldest first."""
    found = services.queries.equity_history(q.run_id, q.period, q.max_points)
    return EquityHistoryOut.model_validate(found)
