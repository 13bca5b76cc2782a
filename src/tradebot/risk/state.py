"""Everything the risk engine remembers between two calls, as one immutable value.

The engine's methods take a :class:`RiskState` and return a new one; nothing else carries
memory (the correlation cache is a pure memo of its inputs). The integrator persists
``state.to_dict()`` (plain JSON) and rebuilds with :meth:`RiskState.from_dict` on restart;
``RiskState.from_dict(s.to_dict()) == s`` holds for every state (a property test).

History that only grows (reserve ledger, tier changes, breaker events, stop moves, closed
tax lots) is *not* kept here: each engine call returns those as events for the store's
append-only tables, so the state stays small and a save stays cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tradebot.domain.errors import DataError
from tradebot.risk.breakers import BreakerState
from tradebot.risk.codec import from_plain, to_plain
from tradebot.risk.gradual_entry import TranchePlan
from tradebot.risk.micro import MicroState
from tradebot.risk.performance import PerformanceState
from tradebot.risk.reserve import ReserveState
from tradebot.risk.stops import StopLevels
from tradebot.risk.tax_lots import TaxLotBook
from tradebot.risk.tiers import TierName

__all__ = ["PendingEntry", "RiskState"]

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class PendingEntry:
    """An entry decided but not yet filled: what its stops will be computed from."""

    decision_id: str
    decided_at: datetime
    confidence: float
    is_micro: bool
    atr: float
    atr_multiplier: Decimal
    reward_risk: Decimal
    tick: Decimal


@dataclass(frozen=True, slots=True)
class RiskState:
    tier: TierName = TierName.MODERATE
    reserve: ReserveState = field(default_factory=ReserveState)
    breakers: BreakerState = field(default_factory=BreakerState)
    stops: Mapping[str, StopLevels] = field(default_factory=dict)
    pending: Mapping[str, PendingEntry] = field(default_factory=dict)
    tranches: Mapping[str, TranchePlan] = field(default_factory=dict)
    micro: MicroState = field(default_factory=MicroState)
    seen: Mapping[str, datetime] = field(default_factory=dict)
    lots: TaxLotBook = field(default_factory=TaxLotBook)
    performance: PerformanceState = field(default_factory=PerformanceState)
    last_rebalance: date | None = None
    emergency_since: datetime | None = None

    def evolve(self, **changes: Any) -> RiskState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        plain: dict[str, Any] = to_plain(self)
        plain["version"] = STATE_VERSION
        return plain

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RiskState:
        body = dict(data)
        version = body.pop("version", STATE_VERSION)
        if version != STATE_VERSION:
            raise DataError(
                f"stored risk state has version {version}, this tradebot reads {STATE_VERSION}",
                "upgrade tradebot or start the engine from a fresh state",
            )
        state: RiskState = from_plain(cls, body)
        return state
