"""``/api/signals`` (seed 01): the ensemble's signals with filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import READ_ERRORS, filter_of
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Page
from tradebot.api.schemas.signals import SignalOut, SignalsQuery
from tradebot.service.queries import SignalFilter

__all__ = ["router"]

router = APIRouter(
    prefix="/api/signals", tags=["signals"], route_class=OffloadedRoute, responses=READ_ERRORS
)


@router.get("", response_model=Page[SignalOut])
def list_signals(
    services: ServicesDep, _: CurrentUser, q: Annotated[SignalsQuery, Query()]
) -> Page[SignalOut]:
    """Signals, newest first."""
    found = services.queries.signals(q.run_id, filter_of(SignalFilter, q), q.limit, q.offset)
    return Page[SignalOut].model_validate(found, from_attributes=True)
