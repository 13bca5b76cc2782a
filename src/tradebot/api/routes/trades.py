"""``/api/trades`` (seed 01): closed trades with filters; one trade with everything behind it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import READ_ERRORS, filter_of
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Page
from tradebot.api.schemas.trades import TradeDetailOut, TradeOut, TradesQuery
from tradebot.api.schemas.values import RunId
from tradebot.service.queries import TradeFilter

__all__ = ["router"]

router = APIRouter(
    prefix="/api/trades", tags=["trades"], route_class=OffloadedRoute, responses=READ_ERRORS
)


@router.get("", response_model=Page[TradeOut])
def list_trades(
    services: ServicesDep, _: CurrentUser, q: Annotated[TradesQuery, Query()]
) -> Page[TradeOut]:
    """Closed trades, newest exit first."""
    found = services.queries.trades(q.run_id, filter_of(TradeFilter, q), q.limit, q.offset)
    return Page[TradeOut].model_validate(found, from_attributes=True)


@router.get("/{trade_id}", response_model=TradeDetailOut)
def get_trade(
    services: ServicesDep,
    _: CurrentUser,
    trade_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,160}$")],
    run_id: Annotated[RunId | None, Query()] = None,
) -> TradeDetailOut:
    """One trade: its entry and exit decisions with their traces, its signal and the
    strategies' parts in it, the scored news before entry, and its learning outcome."""
    return TradeDetailOut.model_validate(services.queries.trade(trade_id, run_id))
