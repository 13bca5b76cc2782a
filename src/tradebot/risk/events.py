"""What the engine reports besides decisions: records for the store's history tables.

Every engine call returns the events it caused, in order; the integrator appends them
(reserve ledger, tier history, breaker events, stop history, closed tax lots) and may turn
some into notifications. None of them is needed to rebuild the state, which holds its own
current values; they are the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tradebot.risk.breakers import BreakerTrip
from tradebot.risk.reserve import LedgerEntry
from tradebot.risk.stops import StopAdjustment
from tradebot.risk.tax_lots import ClosedLot
from tradebot.risk.tiers import TierChange

__all__ = ["BreakerEvent", "Notice", "NoticeKind", "RiskEvent"]


@dataclass(frozen=True, slots=True)
class BreakerEvent:
    trip: BreakerTrip
    resolved: bool
    ts: datetime


class NoticeKind(StrEnum):
    EMERGENCY_LIQUIDATION = "emergency_liquidation"
    RESERVE_HIGH_WATER = "reserve_high_water"
    TRANCHE_CANCELLED = "tranche_cancelled"
    REBALANCE = "rebalance"


@dataclass(frozen=True, slots=True)
class Notice:
    kind: NoticeKind
    ts: datetime
    detail: str


RiskEvent = BreakerEvent | ClosedLot | LedgerEntry | Notice | StopAdjustment | TierChange
