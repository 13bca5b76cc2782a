"""Shapes of the controls (``/api/controls``) and the engine status (``/api/trading/status``).

Bodies refuse unknown keys and bound every field. Money is a decimal string, times are
UTC ISO 8601.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tradebot.api.schemas.values import Money, RunId, Symbol
from tradebot.domain.commands import CommandRecord
from tradebot.risk.tiers import TierName
from tradebot.service.controls import RunControl
from tradebot.service.engine_status import EngineStatus
from tradebot.service.micro_status import MicroStatus

__all__ = [
    "BreakerOut",
    "CloseIn",
    "CommandOut",
    "ControlStatusOut",
    "EngineStatusOut",
    "GoLiveIn",
    "KillIn",
    "MicroOut",
    "TargetIn",
    "TierIn",
    "TradingStatusOut",
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetIn(_Body):
    """Which run (default: the one the server's engine drives, else the newest running
    paper or live run)."""

    run_id: RunId | None = None


class KillIn(TargetIn):
    flatten: bool = Field(
        default=False, description="Also close every position (needs a fresh passkey)."
    )


class CloseIn(TargetIn):
    symbol: Symbol


class TierIn(TargetIn):
    tier: TierName = Field(description="Raising it needs a fresh passkey assertion.")


class GoLiveIn(_Body):
    broker: Literal["alpaca", "ccxt"]
    confirm: Literal["LIVE"] = Field(description='Type "LIVE": real orders, real money.')
    resume_run_id: RunId | None = Field(
        default=None, description="Continue this live session instead of starting a new one."
    )


class CommandOut(BaseModel):
    """An operator command and what became of it."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str
    status: Literal["pending", "taken", "applied", "refused"]
    outcome: str
    run_id: str
    source: str
    symbol: str | None = None
    tier: str | None = None
    issued_at: datetime
    taken_at: datetime | None = None
    decided_at: datetime | None = None

    @classmethod
    def of(cls, record: CommandRecord) -> CommandOut:
        command = record.command
        return cls(
            id=command.id,
            kind=command.kind.value,
            status=record.status.value,
            outcome=record.outcome,
            run_id=command.run_id,
            source=command.source,
            symbol=command.symbol,
            tier=command.tier,
            issued_at=command.ts,
            taken_at=record.taken_at,
            decided_at=record.decided_at,
        )


class ControlStatusOut(BaseModel):
    """Whether trading is on (seed 01): active, paused or killed; stopped when no paper or
    live run is running."""

    model_config = ConfigDict(frozen=True)

    state: Literal["active", "paused", "killed", "stopped"]
    run_id: str | None = None
    mode: str | None = None
    hold: str | None = Field(default=None, description="Who paused or killed it, and when.")
    tier: str | None = None
    hosted: bool = Field(default=False, description="Whether this server's engine runs it.")
    started_at: datetime | None = None

    @classmethod
    def of(cls, control: RunControl | None) -> ControlStatusOut:
        if control is None:
            return cls(state="stopped")
        return cls(
            state=control.state,
            run_id=control.run_id,
            mode=control.mode,
            hold=control.hold,
            tier=control.tier,
            hosted=control.hosted,
            started_at=control.started_at,
        )


class BreakerOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    tripped: bool
    since: datetime | None = None
    until: datetime | None = Field(default=None, description="None while tripped: until lifted.")
    symbols: list[str] = Field(default_factory=list)


class EngineStatusOut(BaseModel):
    """The engine this server hosts (seed 02 task 20): state, risk tier, breakers, pools,
    heat, positions, the last decision, and for live sessions the feed and the book."""

    model_config = ConfigDict(frozen=True)

    state: Literal["idle", "starting", "running", "paused", "killed", "stopped", "failed"]
    engine: str = Field(description="api.engine: replay, paper, live or none.")
    reason: str | None = None
    mode: str | None = None
    broker: str | None = None
    run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    as_of: datetime | None = Field(default=None, description="The engine's own clock.")
    last_event_at: datetime | None = None
    heartbeat_at: datetime | None = None
    loop_alive: bool = False
    last_decision_at: datetime | None = None
    last_bar_at: datetime | None = None
    feed_fresh: bool | None = None
    reconciled: bool | None = None
    paused_by: str | None = None
    halted_by: str | None = None
    tier: str | None = None
    breakers: list[BreakerOut] = Field(default_factory=list)
    equity: Money | None = None
    cash: Money | None = None
    positions_value: Money | None = None
    open_positions: int | None = None
    active_pool: Money | None = None
    reserve_pool: Money | None = None
    heat: Money | None = Field(default=None, description="Heat as a fraction of the total.")
    heat_value: Money | None = None

    @classmethod
    def of(cls, status: EngineStatus) -> EngineStatusOut:
        view = status.view
        fields: dict[str, Any] = {
            "state": status.state,
            "engine": status.engine,
            "reason": status.reason,
            "mode": status.mode,
            "broker": status.broker,
            "run_id": status.run_id,
            "started_at": status.started_at,
            "finished_at": status.finished_at,
            "last_event_at": status.last_event_at,
            "heartbeat_at": status.heartbeat_at,
            "loop_alive": status.loop_alive,
            "last_decision_at": status.last_decision_at,
            "last_bar_at": status.last_bar_at,
            "feed_fresh": status.feed_fresh,
            "reconciled": status.reconciled,
        }
        if view is not None:
            fields |= {
                "as_of": view.as_of,
                "paused_by": view.paused,
                "halted_by": view.halted,
                "tier": view.tier,
                "breakers": [
                    BreakerOut(
                        name=b.name,
                        tripped=b.tripped,
                        since=b.since,
                        until=b.until,
                        symbols=list(b.symbols),
                    )
                    for b in view.breakers
                ],
                "equity": view.equity,
                "cash": view.cash,
                "positions_value": view.positions_value,
                "open_positions": view.open_positions,
                "active_pool": view.active_pool,
                "reserve_pool": view.reserve_pool,
                "heat": view.heat,
                "heat_value": view.heat_value,
            }
        return cls.model_validate(fields)


class MicroOut(BaseModel):
    """Micro-trading (intraday trades with their own caps): the caps in effect and how much
    of them the run shown has used."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    enabled: bool = Field(description="Off with the reference stage, whatever the rules say.")
    max_daily: int = Field(description="Micro entries allowed per New York day.")
    used_today: int | None = Field(
        description="Micro entries made today; null unless this server's engine runs the run."
    )
    allocation_cap_pct: Money = Field(
        description="The most one micro trade takes, a fraction of the active pool (0.03 = 3 %)."
    )
    max_hold_minutes: float = Field(description="A micro position is closed after this long.")
    open_micro_positions: int

    @classmethod
    def of(cls, status: MicroStatus) -> MicroOut:
        return cls.model_validate(status)


class TradingStatusOut(BaseModel):
    """The hosted engine, and the run shown: the engine's, or — when the engine runs in
    another process — the newest running paper or live run, from the database."""

    model_config = ConfigDict(frozen=True)

    engine: EngineStatusOut
    run: ControlStatusOut
    micro: MicroOut
