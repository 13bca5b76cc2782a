"""What the engine host says about the engine it runs: one frozen :class:`EngineStatus`.

The kernel's objects (ledger, risk state, operator gate) belong to the kernel's thread, so
:func:`kernel_view` is called *on that thread* (from a bus handler) and the frozen
:class:`KernelView` it returns is swapped into the host under a lock; any thread then
reads it. Nothing here reads a clock: times come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal

from tradebot.engine.kernel import Kernel
from tradebot.engine.reconciler import RECONCILE_HOLD
from tradebot.risk.breakers import BreakerKind, BreakerState
from tradebot.risk.calendar import local_day
from tradebot.risk.heat import heat_fraction, portfolio_heat
from tradebot.risk.reserve import active_pool

__all__ = [
    "BreakerStatus",
    "EngineState",
    "EngineStatus",
    "KernelView",
    "kernel_view",
]

EngineState = Literal["idle", "starting", "running", "paused", "killed", "stopped", "failed"]


@dataclass(frozen=True, slots=True)
class BreakerStatus:
    """One circuit breaker: tripped now or not; since and until when (None: until lifted)."""

    name: str
    tripped: bool
    since: datetime | None = None
    until: datetime | None = None
    symbols: tuple[str, ...] = ()
    """The tickers a per-ticker breaker (single_position) holds back."""


@dataclass(frozen=True, slots=True)
class KernelView:
    """The kernel's state at one moment (taken on its thread)."""

    as_of: datetime | None
    """The kernel's clock (a replay's simulated time)."""
    equity: Decimal
    cash: Decimal
    positions_value: Decimal
    open_positions: int
    paused: str | None
    """Who paused trading, when (None: not paused)."""
    halted: str | None
    """Who halted it (a kill, or the reconciler), when (None: not halted)."""
    tier: str | None = None
    breakers: tuple[BreakerStatus, ...] = ()
    active_pool: Decimal | None = None
    reserve_pool: Decimal | None = None
    heat: Decimal | None = None
    """Money lost if every position hit its stop, as a fraction of the total value."""
    heat_value: Decimal | None = None
    reconcile_halt: bool = False
    feed_down: tuple[str, ...] = ()
    """Live streams that last said they were disconnected."""
    feed_reported: bool = False
    """Whether any live stream reported its connection yet."""
    micro_used_today: int | None = None
    """Micro entries made on the kernel's New York day (the daily cap counts these)."""
    micro_open: int | None = None
    """Open positions the risk engine holds as micro trades."""


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """The host's engine as the API shows it (``GET /api/trading/status``)."""

    state: EngineState
    engine: str
    """What ``api.engine`` asks for: replay, paper, live or none."""
    reason: str | None = None
    """Why it is stopped, failed or idle (one line)."""
    mode: str | None = None
    """paper or live, once a run exists."""
    broker: str | None = None
    run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    last_event_at: datetime | None = None
    """Wall time of the last event the kernel dispatched."""
    heartbeat_at: datetime | None = None
    """Wall time the kernel's loop last turned (it turns while it waits, too)."""
    loop_alive: bool = False
    last_decision_at: datetime | None = None
    """The latest decision's own time (a replay's simulated time)."""
    last_bar_at: datetime | None = None
    feed_fresh: bool | None = None
    """Live sessions: every stream connected (None: a replay has no live feed)."""
    reconciled: bool | None = None
    """Live venues: the book agreed with the venue at the start and since (None: a
    simulated venue has no book of its own)."""
    view: KernelView | None = None


def kernel_view(kernel: Kernel) -> KernelView:
    """The kernel's state now; call it on the kernel's thread only."""
    portfolio = kernel.portfolio
    cash = portfolio.cash
    equity = portfolio.equity()
    gate = kernel.gate
    health = kernel.health
    now = _clock_time(kernel)
    base = KernelView(
        as_of=now,
        equity=equity,
        cash=cash,
        positions_value=equity - cash,
        open_positions=len(portfolio.positions),
        paused=None if gate.paused is None else gate.paused.describe(),
        halted=None if gate.halted is None else gate.halted.describe(),
        reconcile_halt=gate.halted is not None and gate.halted.kind == RECONCILE_HOLD,
        feed_down=tuple(health.down()),
        feed_reported=bool(health.connected),
    )
    risk = kernel.risk
    if risk is None:
        return base
    state = risk.state
    values = {s: p.quantity * p.last_price for s, p in risk.view().positions.items()}
    heat = portfolio_heat(state.stops, values)
    return replace(
        base,
        micro_used_today=None if now is None else state.micro.count_on(local_day(now)),
        micro_open=sum(
            1 for s, levels in state.stops.items() if levels.is_micro and s in portfolio.positions
        ),
        tier=state.tier.value,
        breakers=breaker_status(state.breakers, now),
        active_pool=active_pool(equity, state.reserve),
        reserve_pool=state.reserve.balance,
        heat=heat_fraction(heat, equity),
        heat_value=heat,
    )


def breaker_status(state: BreakerState, now: datetime | None) -> tuple[BreakerStatus, ...]:
    """One entry per kind of breaker, tripped when any of its trips is active at ``now``."""
    shown = []
    for kind in BreakerKind:
        active = [
            trip
            for trip in state.trips
            if trip.kind is kind and (now is None or trip.active_at(now))
        ]
        if not active:
            shown.append(BreakerStatus(kind.value, False))
            continue
        ends = [trip.expires_at for trip in active]
        shown.append(
            BreakerStatus(
                kind.value,
                True,
                since=min(trip.triggered_at for trip in active),
                until=None if None in ends else max(e for e in ends if e is not None),
                symbols=tuple(sorted({t.symbol for t in active if t.symbol is not None})),
            )
        )
    return tuple(shown)


def _clock_time(kernel: Kernel) -> datetime | None:
    now = kernel.clock.now()
    return None if now.year <= 1970 else now
