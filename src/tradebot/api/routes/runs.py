"""``/api/runs``: the runs and their summary metrics (``tradebot backtest list | show``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import NOT_SIGNED_IN, READ_ERRORS, filter_of
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Page
from tradebot.api.schemas.runs import RunDetailOut, RunOut, RunsQuery
from tradebot.service.queries import RunFilter

__all__ = ["router"]

router = APIRouter(prefix="/api/runs", tags=["runs"], route_class=OffloadedRoute)


@router.get("", response_model=Page[RunOut], responses=NOT_SIGNED_IN)
def list_runs(
    services: ServicesDep, _: CurrentUser, q: Annotated[RunsQuery, Query()]
) -> Page[RunOut]:
    """Runs, newest first (of a mode, with a status)."""
    found = services.queries.runs(filter_of(RunFilter, q), q.limit, q.offset)
    return Page[RunOut].model_validate(found, from_attributes=True)


@router.get("/{run_id}", response_model=RunDetailOut, responses=READ_ERRORS)
def get_run(
    services: ServicesDep,
    _: CurrentUser,
    run_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")],
) -> RunDetailOut:
    """One run: its set-up, status and every recorded metric."""
    return RunDetailOut.model_validate(services.queries.run(run_id))
