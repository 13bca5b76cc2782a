"""``/api/news`` (seed 01): scored articles with filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tradebot.api.deps import CurrentUser, ServicesDep
from tradebot.api.routes._reads import READ_ERRORS, filter_of
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Page
from tradebot.api.schemas.news import NewsItemOut, NewsQuery
from tradebot.service.queries import NewsFilter

__all__ = ["router"]

router = APIRouter(
    prefix="/api/news", tags=["news"], route_class=OffloadedRoute, responses=READ_ERRORS
)


@router.get("", response_model=Page[NewsItemOut])
def list_news(
    services: ServicesDep, _: CurrentUser, q: Annotated[NewsQuery, Query()]
) -> Page[NewsItemOut]:
    """Scored news, newest published first: one item per article, ticker and model. News
    is shared by all runs; ``run_id`` keeps the run's symbols."""
    found = services.queries.news(q.run_id, filter_of(NewsFilter, q), q.limit, q.offset)
    return Page[NewsItemOut].model_validate(found, from_attributes=True)
