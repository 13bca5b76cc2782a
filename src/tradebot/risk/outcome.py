"""What the engine answers: a decision for a signal, exits for positions, tranche orders.

A :class:`RiskOutcome` carries everything the seed's decision record asks for (act or skip,
side, quantity, stops, tranche plan, tier, heat, pools, breaker status, correlation,
sector and earnings results, micro flag) and the ordered trace; :meth:`RiskOutcome.to_decision`
turns it into the domain's :class:`~tradebot.domain.messages.TradingDecision`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradebot.domain.enums import DecisionAction, OrderSide
from tradebot.domain.messages import DecisionCheck, TradingDecision
from tradebot.risk.events import RiskEvent
from tradebot.risk.gradual_entry import TranchePlan
from tradebot.risk.state import RiskState
from tradebot.risk.stops import ExitReason
from tradebot.risk.tiers import TierName
from tradebot.risk.trace import RiskCheck
from tradebot.risk.views import SignalView

__all__ = ["ExitIntent", "PositionReview", "RiskOutcome", "TrancheOrder", "TrancheReview"]


@dataclass(frozen=True, slots=True)
class RiskOutcome:
    decision_id: str
    action: DecisionAction
    side: OrderSide | None
    quantity: Decimal
    reference_price: Decimal
    reason: str
    checks: tuple[RiskCheck, ...]
    state: RiskState
    tier: TierName
    duplicate: bool = False
    skip_reason: str | None = None
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    tranche_plan: TranchePlan | None = None
    notional: Decimal = Decimal(0)
    heat_pct: Decimal = Decimal(0)
    active_pool: Decimal = Decimal(0)
    reserve_pool: Decimal = Decimal(0)
    breakers_active: tuple[str, ...] = ()
    correlation: float | None = None
    sector: str | None = None
    earnings_days: int | None = None
    is_micro: bool = False

    @property
    def acted(self) -> bool:
        return self.action is DecisionAction.ACT

    def decision_checks(self) -> tuple[DecisionCheck, ...]:
        return tuple(c.to_decision_check() for c in self.checks)

    def to_decision(self, signal: SignalView, signal_id: str | None = None) -> TradingDecision:
        """The domain message for the bus and the store (exactly one per signal)."""
        return TradingDecision(
            id=self.decision_id,
            signal_id=signal_id or signal.id,
            ts=signal.ts,
            symbol=signal.symbol,
            action=self.action,
            side=self.side,
            quantity=self.quantity,
            reference_price=self.reference_price,
            reason=self.reason,
            trace=self.decision_checks(),
            strategies=signal.strategies,
        )


@dataclass(frozen=True, slots=True)
class ExitIntent:
    """Sell ``quantity`` of ``symbol`` at market now, because of ``reason``."""

    symbol: str
    quantity: Decimal
    reason: ExitReason
    price: Decimal | None
    detail: str


@dataclass(frozen=True, slots=True)
class PositionReview:
    """The exit path's answer: the new state, exits to send now, and what happened."""

    state: RiskState
    exits: tuple[ExitIntent, ...]
    events: tuple[RiskEvent, ...]


@dataclass(frozen=True, slots=True)
class TrancheOrder:
    """A later tranche of a parent decision, to be sent as its own buy order."""

    parent_decision_id: str
    tranche_id: str
    symbol: str
    quantity: Decimal
    index: int


@dataclass(frozen=True, slots=True)
class TrancheReview:
    state: RiskState
    orders: tuple[TrancheOrder, ...]
    events: tuple[RiskEvent, ...]
