"""Micro-trading mode: small intraday trades with their own caps (seed 17.1).

A micro signal goes through every rule a standard entry does (window, breakers, heat,
correlation, sector, earnings) and on top: the mode must be enabled, at most ``max_daily``
micro entries per New York day, a per-trade cap of ``allocation_cap_pct`` of the active
pool, a 1.0 × ATR stop with take profit at 1.5 × the stop distance, and an automatic exit
after ``max_hold``. Its results are tracked apart (see :mod:`tradebot.risk.performance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from tradebot.risk.config import MicroRules
from tradebot.risk.stops import StopLevels

__all__ = ["MicroState", "count_micro_entry", "micro_entry_allowed", "micro_hold_expired"]


@dataclass(frozen=True, slots=True)
class MicroState:
    day: date | None = None
    count: int = 0

    def count_on(self, day: date) -> int:
        return self.count if self.day == day else 0


def micro_entry_allowed(state: MicroState, rules: MicroRules, day: date) -> tuple[bool, str]:
    if not rules.enabled:
        return False, "micro-trading is disabled"
    used = state.count_on(day)
    if used >= rules.max_daily:
        return False, f"{used} of {rules.max_daily} micro-trades used today"
    return True, f"{used} of {rules.max_daily} micro-trades used today"


def count_micro_entry(state: MicroState, day: date) -> MicroState:
    return MicroState(day, state.count_on(day) + 1)


def micro_hold_expired(levels: StopLevels, now: datetime, rules: MicroRules) -> bool:
    """A micro position held longer than ``max_hold`` must be closed at market."""
    return levels.is_micro and now - levels.opened_at > rules.max_hold
