"""Gradual entry: a large entry goes out in tranches under one parent decision.

An entry is split when its dollar size exceeds ``min(threshold_dollars, pool_pct × active
pool)`` (seed 12.2: $30 or 5 %). The quantity is split into ``tranches`` parts that differ
by at most one lot and sum exactly to the total; the first goes out with the decision, the
rest wait ``interval`` each. Before each later tranche the plan is re-evaluated: it is
**cancelled** when a circuit breaker is active (globally or for the ticker), the price is at
or below the planned stop, or the price fell more than ``cancel_drop_pct`` below the
decision's reference price; it **waits** while the entry window is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from tradebot.risk.config import GradualEntryRules

__all__ = [
    "TrancheConditions",
    "TrancheDecision",
    "TranchePlan",
    "TrancheVerdict",
    "needs_gradual_entry",
    "reevaluate_tranche",
    "split_quantity",
]


def needs_gradual_entry(dollars: Decimal, active_pool: Decimal, rules: GradualEntryRules) -> bool:
    threshold = min(rules.threshold_dollars, rules.threshold_pool_pct * active_pool)
    return rules.enabled and dollars > threshold


def split_quantity(quantity: Decimal, parts: int, lot: Decimal) -> tuple[Decimal, ...]:
    """Near-equal parts in whole lots summing to ``quantity``; fewer parts if it is small."""
    units = int((quantity / lot).to_integral_value(rounding=ROUND_DOWN))
    if units <= 0:
        return ()
    parts = max(1, min(parts, units))
    base, extra = divmod(units, parts)
    return tuple((base + (1 if i < extra else 0)) * lot for i in range(parts))


@dataclass(frozen=True, slots=True)
class TranchePlan:
    """The tranches of one parent decision; ``next_index`` is the next one to send."""

    parent_decision_id: str
    symbol: str
    quantities: tuple[Decimal, ...]
    reference_price: Decimal
    stop_loss: Decimal
    next_index: int
    next_due: datetime
    interval: timedelta

    @property
    def remaining_quantity(self) -> Decimal:
        return sum(self.quantities[self.next_index :], Decimal(0))

    @property
    def done(self) -> bool:
        return self.next_index >= len(self.quantities)

    def tranche_id(self, index: int) -> str:
        return f"{self.parent_decision_id}-t{index + 1}"

    def advanced(self, now: datetime) -> TranchePlan:
        return replace(self, next_index=self.next_index + 1, next_due=now + self.interval)


@dataclass(frozen=True, slots=True)
class TrancheConditions:
    price: Decimal
    breaker_active: bool
    window_open: bool


class TrancheVerdict(StrEnum):
    SEND = "send"
    WAIT = "wait"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class TrancheDecision:
    verdict: TrancheVerdict
    reason: str


def reevaluate_tranche(
    plan: TranchePlan, conditions: TrancheConditions, now: datetime, rules: GradualEntryRules
) -> TrancheDecision:
    """Send, wait or cancel the plan's next tranche."""
    if plan.done:
        return TrancheDecision(TrancheVerdict.CANCEL, "no tranche left")
    if conditions.breaker_active:
        return TrancheDecision(TrancheVerdict.CANCEL, "a circuit breaker is active")
    if conditions.price <= plan.stop_loss:
        return TrancheDecision(
            TrancheVerdict.CANCEL, f"price {conditions.price} at or below stop {plan.stop_loss}"
        )
    floor = plan.reference_price * (1 - rules.cancel_drop_pct)
    if conditions.price < floor:
        return TrancheDecision(
            TrancheVerdict.CANCEL,
            f"price {conditions.price} fell below {floor} "
            f"({rules.cancel_drop_pct:%} under the decision price)",
        )
    if now < plan.next_due:
        return TrancheDecision(TrancheVerdict.WAIT, f"next tranche due at {plan.next_due}")
    if not conditions.window_open:
        return TrancheDecision(TrancheVerdict.WAIT, "entry window closed")
    return TrancheDecision(TrancheVerdict.SEND, "conditions hold")
