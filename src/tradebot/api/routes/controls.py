"""``/api/controls`` (seed 01 task 14) and ``/api/trading/status`` (seed 02 task 20).

Every command goes through :class:`~tradebot.service.controls.Controls` — the facade the
CLI's ``tradebot kill|pause|...`` call too — and answers with the command's record once
the run applied it; a run that refuses it, or none that can take it, is a 409 line.

Step-up (a passkey assertion in the last ``api.step_up_s``): flatten, a kill that
flattens, going live, raising the risk tier, and resuming a killed run. Pausing, killing,
closing one position, lowering the tier and resuming a pause need a signed-in user only:
stopping is never harder than starting. So does starting the hosted engine when it is
idle (``start``): it runs paper or replay only, never real money.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, status

from tradebot.api.deps import CurrentUser, FreshUser, ServicesDep, require_fresh
from tradebot.api.routes._reads import NOT_SIGNED_IN
from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Problem
from tradebot.api.schemas.controls import (
    CloseIn,
    CommandOut,
    ControlStatusOut,
    EngineStatusOut,
    GoLiveIn,
    KillIn,
    MicroOut,
    TargetIn,
    TierIn,
    TradingStatusOut,
)
from tradebot.api.schemas.values import RunId
from tradebot.domain.commands import CommandKind, CommandRefusedError
from tradebot.risk.tiers import TIER_ORDER, TierName
from tradebot.service import Services
from tradebot.service.controls import RunControl
from tradebot.service.micro_status import micro_status

__all__ = ["router"]

_COMMAND: dict[int | str, dict[str, Any]] = {
    **NOT_SIGNED_IN,
    403: {"model": Problem, "description": "This action needs a fresh passkey assertion."},
    409: {"model": Problem, "description": "No run can take the command, or it refused it."},
}
router = APIRouter(tags=["controls"], route_class=OffloadedRoute)
Target = Annotated[TargetIn | None, Body()]


def _send(
    services: Services,
    user_name: str,
    kind: CommandKind,
    run_id: str | None,
    *,
    symbol: str | None = None,
    tier: str | None = None,
) -> CommandOut:
    record = services.controls.send(
        kind, run_id=run_id, symbol=symbol, tier=tier, actor=user_name, source="api"
    )
    return CommandOut.of(record)


def _control(services: Services, run_id: str | None) -> RunControl | None:
    """The run's control state; None when no run is running and none was named."""
    try:
        return services.controls.status(run_id)
    except CommandRefusedError:
        if run_id is not None:
            raise
        return None


@router.get(
    "/api/trading/status",
    response_model=TradingStatusOut,
    responses=NOT_SIGNED_IN | {409: _COMMAND[409]},
)
def trading_status(
    services: ServicesDep, _: CurrentUser, run_id: RunId | None = None
) -> TradingStatusOut:
    """The hosted engine's state, tier, breakers, pools, heat, positions and last decision,
    the run shown (the engine's, else the newest running paper or live run) and its
    micro-trading caps and use."""
    status = services.host.status()
    control = _control(services, run_id)
    shown = None if control is None else control.run_id
    micro = micro_status(
        services.config.effective(),
        status.view if shown is not None and shown == status.run_id else None,
        lambda: 0 if shown is None else services.queries.open_micro_positions(shown),
    )
    return TradingStatusOut(
        engine=EngineStatusOut.of(status),
        run=ControlStatusOut.of(control),
        micro=MicroOut.of(micro),
    )


@router.get(
    "/api/controls/status",
    response_model=ControlStatusOut,
    responses=NOT_SIGNED_IN | {409: _COMMAND[409]},
)
def control_status(
    services: ServicesDep, _: CurrentUser, run_id: RunId | None = None
) -> ControlStatusOut:
    """Active, paused or killed (stopped: no paper or live run is running)."""
    return ControlStatusOut.of(_control(services, run_id))


@router.post("/api/controls/pause", response_model=CommandOut, responses=_COMMAND)
def pause(services: ServicesDep, user: CurrentUser, body: Target = None) -> CommandOut:
    """No new entries; exits, stops and reviews go on."""
    return _send(services, user.name, CommandKind.PAUSE, body.run_id if body else None)


@router.post("/api/controls/resume", response_model=CommandOut, responses=_COMMAND)
def resume(services: ServicesDep, user: CurrentUser, body: Target = None) -> CommandOut:
    """Lift a pause, or a kill (which needs a fresh passkey assertion)."""
    run_id = body.run_id if body else None
    if services.controls.resume_lifts_a_kill(run_id):
        require_fresh(user, "resuming a killed run")
    return _send(services, user.name, CommandKind.RESUME, run_id)


@router.post("/api/controls/kill", response_model=CommandOut, responses=_COMMAND)
def kill(
    services: ServicesDep, user: CurrentUser, body: Annotated[KillIn | None, Body()] = None
) -> CommandOut:
    """Halt every new order and cancel the open ones; with ``flatten``, close every
    position too (fresh passkey assertion)."""
    chosen = body or KillIn()
    if chosen.flatten:
        require_fresh(user, "a kill that flattens")
    kind = CommandKind.FLATTEN if chosen.flatten else CommandKind.KILL
    return _send(services, user.name, kind, chosen.run_id)


@router.post("/api/controls/flatten", response_model=CommandOut, responses=_COMMAND)
def flatten(services: ServicesDep, user: FreshUser, body: Target = None) -> CommandOut:
    """A kill that also closes every position (fresh passkey assertion)."""
    return _send(services, user.name, CommandKind.FLATTEN, body.run_id if body else None)


@router.post("/api/controls/close-position", response_model=CommandOut, responses=_COMMAND)
def close_position(services: ServicesDep, user: CurrentUser, body: CloseIn) -> CommandOut:
    """Close one position now (a market order)."""
    return _send(services, user.name, CommandKind.CLOSE_POSITION, body.run_id, symbol=body.symbol)


@router.post("/api/controls/tier", response_model=CommandOut, responses=_COMMAND)
def set_tier(services: ServicesDep, user: CurrentUser, body: TierIn) -> CommandOut:
    """Move the risk engine to a tier; raising it (or from an unknown tier) needs a fresh
    passkey assertion."""
    current = services.controls.status(body.run_id).tier
    if _raises(current, body.tier):
        require_fresh(user, "raising the risk tier")
    return _send(services, user.name, CommandKind.SET_TIER, body.run_id, tier=body.tier.value)


@router.post(
    "/api/controls/start",
    response_model=EngineStatusOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=NOT_SIGNED_IN | {409: _COMMAND[409]},
)
def start(services: ServicesDep, user: CurrentUser) -> EngineStatusOut:
    """Start the engine this server hosts (``api.engine`` replay or paper) when none runs.
    Answers at once; the status says when it runs. Live sessions start through go-live."""
    return EngineStatusOut.of(services.host.start_on_request(user.name))


@router.post(
    "/api/controls/go-live",
    response_model=EngineStatusOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=_COMMAND,
)
def go_live(services: ServicesDep, user: FreshUser, body: GoLiveIn) -> EngineStatusOut:
    """Start a live session on a real venue (fresh passkey assertion; the server must run
    with ``api.engine: live``). Answers at once; the status says when it runs."""
    return EngineStatusOut.of(services.host.go_live(body.broker, resume=body.resume_run_id))


def _raises(current: str | None, wanted: TierName) -> bool:
    """Whether ``wanted`` is riskier than ``current``. An unknown tier counts as the
    lowest: only a move to the lowest goes without a fresh assertion then."""
    order = [t.value for t in TIER_ORDER]
    level = order.index(current) if current in order else 0
    return order.index(wanted.value) > level
