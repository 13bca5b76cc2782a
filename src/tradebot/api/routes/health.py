"""The public probes: ``GET /health`` (the process answers) and ``GET /ready`` (the store
answers and, when the server runs an engine, its loop is alive, its book reconciled, its
feed fresh and no outside service's circuit open: :mod:`tradebot.service.readiness`).
Neither needs a token nor says anything secret."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tradebot.api.deps import ServicesDep
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.health import HealthOut, ReadyChecks, ReadyOut
from tradebot.service.readiness import readiness

__all__ = ["router"]

router = APIRouter(tags=["health"], route_class=OffloadedRoute)
_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {"model": ReadyOut, "description": "Not ready: the reasons say why."}
}


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """Liveness: the process answers."""
    return HealthOut()


@router.get("/ready", response_model=ReadyOut, responses=_NOT_READY)
def ready(services: ServicesDep) -> Any:
    """Readiness: 200 when every check that applies passes, else 503 with the reasons."""
    found = readiness(services.db, services.host, channels=services.notifier.channel_states())
    body = ReadyOut(
        ready=found.ready,
        reasons=list(found.reasons),
        checks=ReadyChecks(
            store=found.store, loop=found.loop, reconciled=found.reconciled, feed=found.feed
        ),
        services=found.services,
    )
    if found.ready:
        return body
    return JSONResponse(body.model_dump(mode="json"), status_code=503)
