"""Stop-loss and take-profit levels of one position, and every rule that moves them.

- **Initial** (seed 6.1): ``stop = entry − ATR × multiplier``, ``take profit = entry +
  (entry − stop) × reward:risk``. The stop is rounded *down* and the take profit *up* to the
  tick, so both stay strictly on their side of the entry. An ATR so large that the stop
  would be at or below zero gives no levels (the engine refuses the entry).
- **Ratchet**: once set, the stop only moves up, with one exception: an ATR re-evaluation
  (ATR moved more than 10 % since the levels were set) recomputes both levels from the entry
  with the new ATR, which may widen an untrailed stop in a more volatile market.
- **Trailing to breakeven**: once the price has covered more than half of the distance from
  entry to take profit, the stop moves to the entry and stays at least there.
- **Tightening**: near earnings (0.7 ×), during a high-severity event (0.5 ×) and for the
  heat rule, the stop is raised to ``price − ATR × multiplier × factor`` if that is higher.
- **Crossing**: price at or below the stop, or at or above the take profit, is an exit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum

__all__ = [
    "ExitReason",
    "StopAdjustment",
    "StopLevels",
    "apply_trailing",
    "crossing",
    "initial_levels",
    "reevaluate_atr",
    "tighten",
]

_ZERO = Decimal(0)


class ExitReason(StrEnum):
    STOP_LOSS = "stop_loss"
    TAKE_PROFIT = "take_profit"
    SINGLE_POSITION_LOSS = "single_position_loss"
    STALE_PRICE = "stale_price"
    MICRO_MAX_HOLD = "micro_max_hold"
    REBALANCE = "rebalance"
    OPERATOR = "operator"
    """Closed at the operator's command (not a rule of the engine's)."""


@dataclass(frozen=True, slots=True)
class StopLevels:
    """A position's protective levels and what they were computed from."""

    symbol: str
    entry_price: Decimal
    stop_loss: Decimal
    take_profit: Decimal
    atr: float
    atr_multiplier: Decimal
    reward_risk: Decimal
    tick: Decimal
    confidence: float
    is_micro: bool
    opened_at: datetime
    updated_at: datetime
    trailing_active: bool = False


@dataclass(frozen=True, slots=True)
class StopAdjustment:
    """One move of a position's levels, for the stop history table."""

    symbol: str
    ts: datetime
    reason: str
    old_stop: Decimal
    new_stop: Decimal
    old_take_profit: Decimal
    new_take_profit: Decimal


def _floor(value: Decimal, tick: Decimal) -> Decimal:
    return (value / tick).to_integral_value(rounding=ROUND_FLOOR) * tick


def _ceil(value: Decimal, tick: Decimal) -> Decimal:
    return (value / tick).to_integral_value(rounding=ROUND_CEILING) * tick


def initial_levels(
    entry: Decimal, atr: Decimal, multiplier: Decimal, reward_risk: Decimal, tick: Decimal
) -> tuple[Decimal, Decimal] | None:
    """``(stop, take profit)`` for an entry, or None when the stop would not be above 0."""
    distance = atr * multiplier
    stop = _floor(entry - distance, tick)
    if distance <= 0 or stop <= 0:
        return None
    take_profit = _ceil(entry + (entry - stop) * reward_risk, tick)
    return stop, take_profit


def _moved(
    old: StopLevels, new: StopLevels, reason: str, now: datetime
) -> tuple[StopLevels, StopAdjustment | None]:
    if old.stop_loss == new.stop_loss and old.take_profit == new.take_profit:
        return new, None
    note = StopAdjustment(
        old.symbol, now, reason, old.stop_loss, new.stop_loss, old.take_profit, new.take_profit
    )
    return replace(new, updated_at=now), note


def reevaluate_atr(
    levels: StopLevels, atr: float, threshold: float, now: datetime
) -> tuple[StopLevels, StopAdjustment | None]:
    """Recompute from the entry when ATR moved by more than ``threshold`` (relative)."""
    if atr <= 0.0 or levels.atr <= 0.0 or abs(atr - levels.atr) / levels.atr <= threshold:
        return levels, None
    fresh = initial_levels(
        levels.entry_price,
        Decimal(repr(atr)),
        levels.atr_multiplier,
        levels.reward_risk,
        levels.tick,
    )
    if fresh is None:
        return replace(levels, atr=atr), None
    stop, take_profit = fresh
    if levels.trailing_active:
        stop = max(stop, levels.entry_price)
    new = replace(levels, stop_loss=stop, take_profit=take_profit, atr=atr)
    return _moved(levels, new, "atr_reevaluation", now)


def apply_trailing(
    levels: StopLevels, price: Decimal, trigger_fraction: Decimal, now: datetime
) -> tuple[StopLevels, StopAdjustment | None]:
    """Move the stop to breakeven once the price covered ``trigger_fraction`` of the way."""
    span = levels.take_profit - levels.entry_price
    if levels.trailing_active or price - levels.entry_price <= span * trigger_fraction:
        return levels, None
    new = replace(levels, stop_loss=max(levels.stop_loss, levels.entry_price), trailing_active=True)
    return _moved(levels, new, "trailing_breakeven", now)


def tighten(
    levels: StopLevels, price: Decimal, factor: Decimal, reason: str, now: datetime
) -> tuple[StopLevels, StopAdjustment | None]:
    """Raise the stop to ``price − ATR × multiplier × factor`` if that is higher (and below
    the price); never lowers it."""
    distance = Decimal(repr(levels.atr)) * levels.atr_multiplier * factor
    candidate = _floor(price - distance, levels.tick)
    if candidate <= levels.stop_loss or candidate >= price or candidate <= _ZERO:
        return levels, None
    return _moved(levels, replace(levels, stop_loss=candidate), reason, now)


def crossing(levels: StopLevels, price: Decimal) -> ExitReason | None:
    """Which level the price has reached, if any (stop first: a gap through both is a stop)."""
    if price <= levels.stop_loss:
        return ExitReason.STOP_LOSS
    if price >= levels.take_profit:
        return ExitReason.TAKE_PROFIT
    return None
