"""Circuit breakers, one small rule per question (the shape of Freqtrade's protections).

Each rule looks at :class:`BreakerInputs` and returns the trips it wants: the daily-loss
rule (equity fell more than X % since the day's start), the single-position rule (one
position lost more than Y %: close it and cool the ticker down), the volatility rule (N
stop-losses hit within a window) and the manual halt. A trip is *global* (no new entries
at all) or *ticker-scoped* (no re-entry in that symbol); it stays active while
``now <= expires_at`` and resolves after (a manual trip has no expiry and is lifted by
:func:`resolve_manual`). Exits are never blocked by a breaker: the engine only consults
them for entries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from tradebot.risk.config import BreakerRules
from tradebot.risk.views import PositionView

__all__ = [
    "BreakerInputs",
    "BreakerKind",
    "BreakerRule",
    "BreakerState",
    "BreakerTrip",
    "DailyLossRule",
    "SinglePositionLossRule",
    "VolatilityRule",
    "default_rules",
    "evaluate_breakers",
    "expire_trips",
    "manual_trip",
    "resolve_manual",
]


class BreakerKind(StrEnum):
    DAILY_LOSS = "daily_loss"
    SINGLE_POSITION = "single_position"
    VOLATILITY = "volatility"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class BreakerTrip:
    """An activation: what tripped, on which numbers, until when, and for which ticker."""

    kind: BreakerKind
    triggered_at: datetime
    expires_at: datetime | None
    threshold: Decimal
    actual: Decimal
    symbol: str | None = None
    note: str = ""

    def active_at(self, now: datetime) -> bool:
        return self.expires_at is None or now <= self.expires_at


@dataclass(frozen=True, slots=True)
class BreakerState:
    """Active trips, recent stop-loss hits, and the equity the current day started from."""

    trips: tuple[BreakerTrip, ...] = ()
    stop_hits: tuple[datetime, ...] = ()
    day: date | None = None
    day_start_equity: Decimal | None = None
    last_equity: Decimal | None = None

    def global_trips(self, now: datetime) -> tuple[BreakerTrip, ...]:
        return tuple(t for t in self.trips if t.symbol is None and t.active_at(now))

    def ticker_trip(self, symbol: str, now: datetime) -> BreakerTrip | None:
        for trip in self.trips:
            if trip.symbol == symbol and trip.active_at(now):
                return trip
        return None


@dataclass(frozen=True, slots=True)
class BreakerInputs:
    now: datetime
    equity: Decimal
    day_start_equity: Decimal | None
    positions: Mapping[str, PositionView]
    stop_hits: tuple[datetime, ...]


class BreakerRule(Protocol):
    @property
    def kind(self) -> BreakerKind: ...

    def check(self, inputs: BreakerInputs) -> list[BreakerTrip]: ...


@dataclass(frozen=True, slots=True)
class DailyLossRule:
    """Equity down more than ``limit`` since the day started: halt entries for ``cooldown``."""

    limit: Decimal
    cooldown: timedelta
    kind: BreakerKind = BreakerKind.DAILY_LOSS

    def check(self, inputs: BreakerInputs) -> list[BreakerTrip]:
        start = inputs.day_start_equity
        if start is None or start <= 0:
            return []
        loss = (start - inputs.equity) / start
        if loss <= self.limit:
            return []
        return [BreakerTrip(self.kind, inputs.now, inputs.now + self.cooldown, self.limit, loss)]


@dataclass(frozen=True, slots=True)
class SinglePositionLossRule:
    """A position down more than ``limit`` from its average cost: exit, cool the ticker."""

    limit: Decimal
    cooldown: timedelta
    kind: BreakerKind = BreakerKind.SINGLE_POSITION

    def check(self, inputs: BreakerInputs) -> list[BreakerTrip]:
        trips = []
        for symbol, pos in inputs.positions.items():
            loss = -pos.unrealised_pct
            if loss > self.limit:
                expires = inputs.now + self.cooldown
                trips.append(BreakerTrip(self.kind, inputs.now, expires, self.limit, loss, symbol))
        return trips


@dataclass(frozen=True, slots=True)
class VolatilityRule:
    """``count`` or more stop-losses within ``window``: pause entries for ``cooldown``."""

    count: int
    window: timedelta
    cooldown: timedelta
    kind: BreakerKind = BreakerKind.VOLATILITY

    def check(self, inputs: BreakerInputs) -> list[BreakerTrip]:
        since = inputs.now - self.window
        hits = sum(1 for t in inputs.stop_hits if since <= t <= inputs.now)
        if hits < self.count:
            return []
        trip = BreakerTrip(
            self.kind,
            inputs.now,
            inputs.now + self.cooldown,
            Decimal(self.count),
            Decimal(hits),
            note=f"{hits} stop-losses within {self.window}",
        )
        return [trip]


def default_rules(rules: BreakerRules) -> tuple[BreakerRule, ...]:
    return (
        DailyLossRule(rules.daily_loss_pct, rules.daily_loss_cooldown),
        SinglePositionLossRule(rules.single_position_loss_pct, rules.ticker_cooldown),
        VolatilityRule(
            rules.volatility_stop_count, rules.volatility_window, rules.volatility_cooldown
        ),
    )


def expire_trips(state: BreakerState, now: datetime) -> tuple[BreakerState, list[BreakerTrip]]:
    """Drop trips whose cooldown has passed; return them as resolved."""
    resolved = [t for t in state.trips if not t.active_at(now)]
    if not resolved:
        return state, []
    return replace(state, trips=tuple(t for t in state.trips if t.active_at(now))), resolved


def evaluate_breakers(
    state: BreakerState, rules: Sequence[BreakerRule], inputs: BreakerInputs
) -> tuple[BreakerState, list[BreakerTrip]]:
    """Run every rule; a rule already active (for that ticker) does not trip again."""
    active = {(t.kind, t.symbol) for t in state.trips if t.active_at(inputs.now)}
    fresh = [
        trip
        for rule in rules
        for trip in rule.check(inputs)
        if (trip.kind, trip.symbol) not in active
    ]
    if not fresh:
        return state, []
    return replace(state, trips=state.trips + tuple(fresh)), fresh


def manual_trip(
    state: BreakerState, now: datetime, note: str = ""
) -> tuple[BreakerState, BreakerTrip]:
    """Halt entries until :func:`resolve_manual` is called."""
    trip = BreakerTrip(BreakerKind.MANUAL, now, None, Decimal(0), Decimal(0), note=note)
    return replace(state, trips=(*state.trips, trip)), trip


def resolve_manual(state: BreakerState) -> tuple[BreakerState, list[BreakerTrip]]:
    lifted = [t for t in state.trips if t.kind is BreakerKind.MANUAL]
    return replace(
        state, trips=tuple(t for t in state.trips if t.kind is not BreakerKind.MANUAL)
    ), lifted
