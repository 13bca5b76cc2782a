"""``/api/backtests`` (seed 01 task 14): start a backtest in the background, follow it, read
its result. The work is :class:`~tradebot.service.backtests.BacktestJobs`': a worker
process per job, at most ``api.backtest_workers`` at once, the same run as ``tradebot
backtest`` with the same choices. Progress also streams on ``/ws`` (kind ``backtest``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, status

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import NOT_SIGNED_IN
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.backtests import (
    BacktestAccepted,
    BacktestIn,
    BacktestItem,
    BacktestOut,
)
from tradebot.api.schemas.common import Limit, Offset, Page, Problem
from tradebot.api.schemas.portfolio import EquityPointOut
from tradebot.api.schemas.trades import TradeOut
from tradebot.service import Services
from tradebot.service.backtests import BacktestView

__all__ = ["router"]

router = APIRouter(prefix="/api/backtests", tags=["backtests"], route_class=OffloadedRoute)
_FOUND = NOT_SIGNED_IN | {404: {"model": Problem, "description": "No such backtest."}}
BacktestId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$", description="Job or run id.")]
TradesLimit = Annotated[int, Query(ge=1, le=1000, description="Trades per page.")]
TradesOffset = Annotated[int, Query(ge=0, le=10_000_000, description="Trades to skip.")]


@router.post(
    "",
    response_model=BacktestAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=NOT_SIGNED_IN | {400: {"model": Problem, "description": "A bad symbol, range..."}},
)
def start_backtest(services: ServicesDep, _: CurrentUser, body: BacktestIn) -> BacktestAccepted:
    """Check and queue a backtest; it runs in a process of its own."""
    view = services.backtests.submit(body.spec())
    return BacktestAccepted(id=view.id, run_id=view.run_id, status=view.status)


@router.get("", response_model=Page[BacktestItem], responses=NOT_SIGNED_IN)
def list_backtests(
    services: ServicesDep, _: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> Page[BacktestItem]:
    """This server's jobs not started yet, then every backtest run, newest first."""
    views, total = services.backtests.page(limit, offset)
    items = [BacktestItem.of(view) for view in views]
    return Page[BacktestItem](items=items, total=total, limit=limit, offset=offset)


@router.get("/{backtest_id}", response_model=BacktestOut, responses=_FOUND)
def get_backtest(
    services: ServicesDep,
    _: CurrentUser,
    backtest_id: BacktestId,
    trades_limit: TradesLimit = 100,
    trades_offset: TradesOffset = 0,
) -> BacktestOut:
    """Status, progress, metrics, a page of trades and the equity curve."""
    view = services.backtests.get(backtest_id)
    if view is None:
        raise _not_found(backtest_id)
    return _result(services, view, backtest_id, trades_limit, trades_offset)


@router.post("/{backtest_id}/cancel", response_model=BacktestOut, responses=_FOUND)
def cancel_backtest(services: ServicesDep, _: CurrentUser, backtest_id: BacktestId) -> BacktestOut:
    """Drop a queued job or stop a running one (its run ends ``stopped``)."""
    view = services.backtests.cancel(backtest_id)
    if view is None:
        raise _not_found(backtest_id)
    return _result(services, view, backtest_id, 100, 0)


def _result(
    services: Services, view: BacktestView, asked: str, limit: int, offset: int
) -> BacktestOut:
    fields = BacktestItem.of(view).model_dump()
    run = view.run
    if run is None:
        return BacktestOut.model_validate(fields)
    results = services.backtests.results()
    trades = results.trades(run.id, limit, offset)
    following = offset + len(trades.items)
    link = None
    if following < trades.total:
        query = urlencode({"trades_limit": limit, "trades_offset": following})
        link = f"/api/backtests/{asked}?{query}"
    return BacktestOut.model_validate(
        fields
        | {
            "timeframe": run.timeframe,
            "data_start": run.data_start,
            "data_end": run.data_end,
            "metrics": view.metrics,
            "trade_count": trades.total,
            "trades": [TradeOut.model_validate(t) for t in trades.items],
            "trades_offset": offset,
            "next_trades": link,
            "equity": [EquityPointOut.model_validate(p) for p in results.equity(run.id)],
        }
    )


def _not_found(backtest_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no backtest {backtest_id!r}")
