"""``/api/trading`` (seed 02): decisions with their traces, performance now and by day,
and the configuration — read with secrets masked, changed by dotted path (validated as a
whole, audited with the value before and after and who; risk, api and broker changes need
a fresh passkey assertion), and its audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from tradebot.api.deps import CurrentUser, FreshUser, ServicesDep
from tradebot.api.routes._reads import NOT_SIGNED_IN, READ_ERRORS, filter_of
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Page, Problem
from tradebot.api.schemas.config import (
    AuditQuery,
    ConfigChangeOut,
    ConfigOut,
    ConfigUpdateIn,
    ConfigUpdateOut,
)
from tradebot.api.schemas.decisions import DecisionDetailOut, DecisionOut, DecisionsQuery
from tradebot.api.schemas.metrics import DailyRowOut, MetricsHistoryQuery, PerformanceOut
from tradebot.api.schemas.values import RunId
from tradebot.config import masked_dump
from tradebot.service.queries import DecisionFilter

__all__ = ["router"]

router = APIRouter(prefix="/api/trading", tags=["trading"], route_class=OffloadedRoute)
RunQuery = Annotated[RunId | None, Query()]
_CHANGE_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_SIGNED_IN,
    400: {"model": Problem, "description": "An unknown setting, a secret, or a bad value."},
    403: {"model": Problem, "description": "A fresh passkey assertion is needed."},
}


@router.get("/decisions", response_model=Page[DecisionOut], responses=READ_ERRORS)
def list_decisions(
    services: ServicesDep, _: CurrentUser, q: Annotated[DecisionsQuery, Query()]
) -> Page[DecisionOut]:
    """Decisions, newest first: acted or skipped, why, sizing, stops, strategies, trace."""
    found = services.queries.decisions(q.run_id, filter_of(DecisionFilter, q), q.limit, q.offset)
    return Page[DecisionOut].model_validate(found, from_attributes=True)


@router.get("/decisions/{decision_id}", response_model=DecisionDetailOut, responses=READ_ERRORS)
def get_decision(
    services: ServicesDep,
    _: CurrentUser,
    decision_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")],
    run_id: RunQuery = None,
) -> DecisionDetailOut:
    """One decision with its signal and the orders (and fills) it led to."""
    return DecisionDetailOut.model_validate(services.queries.decision(decision_id, run_id))


@router.get("/metrics", response_model=PerformanceOut, responses=READ_ERRORS)
def get_metrics(services: ServicesDep, _: CurrentUser, run_id: RunQuery = None) -> PerformanceOut:
    """Total return, CAGR, Sharpe, Sortino, max drawdown, win rate, profit factor, trades
    and exposure (a finished run's recorded figures; a running one's from its snapshots)."""
    return PerformanceOut.model_validate(services.queries.performance(run_id))


@router.get("/metrics/history", response_model=Page[DailyRowOut], responses=READ_ERRORS)
def get_metrics_history(
    services: ServicesDep, _: CurrentUser, q: Annotated[MetricsHistoryQuery, Query()]
) -> Page[DailyRowOut]:
    """Day by day, newest first: equity, daily return, drawdown, trades closed, their P&L."""
    found = services.queries.daily_history(q.run_id, q.start, q.end, q.limit, q.offset)
    return Page[DailyRowOut].model_validate(found, from_attributes=True)


@router.get("/config", response_model=ConfigOut, responses=NOT_SIGNED_IN)
def get_config(services: ServicesDep, _: CurrentUser) -> ConfigOut:
    """The settings in effect, every secret masked."""
    return ConfigOut(settings=masked_dump(services.config.effective()))


@router.put("/config", response_model=ConfigUpdateOut, responses=_CHANGE_ERRORS)
def put_config(services: ServicesDep, user: FreshUser, body: ConfigUpdateIn) -> ConfigUpdateOut:
    """Change settings by dotted path, all or none; each change audited (a fresh passkey
    assertion: every setting shapes what the bot does with money)."""
    made = services.config.update(body.changes, user.name, "api", body.reason)
    return ConfigUpdateOut.model_validate({"changes": made})


@router.get("/config/audit", response_model=Page[ConfigChangeOut], responses=NOT_SIGNED_IN)
def get_config_audit(
    services: ServicesDep, _: CurrentUser, q: Annotated[AuditQuery, Query()]
) -> Page[ConfigChangeOut]:
    """Every configuration change, newest first (those whose path starts with a prefix)."""
    found = services.config.changes(q.path_prefix, q.limit, q.offset)
    return Page[ConfigChangeOut].model_validate(found, from_attributes=True)
