"""Risk tiers: the three named parameter sets and the controller that moves between them.

The controller runs once a day (at the close) on trailing performance. It moves **one level
at a time**: down when the 30-day win rate is below 40 % *or* the drawdown is above 15 %,
up when the win rate is above 55 % *and* the reserve holds more than 20 % of the portfolio
*and* the drawdown is below 5 %. A downgrade wins over an upgrade, a tier never leaves the
conservative..aggressive range, and a win rate that cannot be known yet (fewer than
``min_trades`` closed trades in the window; 5, chosen) neither downgrades nor upgrades.
Every change is returned as a :class:`TierChange` record for the store's history table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "TIER_ORDER",
    "RiskTierConfig",
    "TierChange",
    "TierName",
    "TierPolicy",
    "TierSignals",
    "evaluate_tier",
]


class TierName(StrEnum):
    CONSERVATIVE = "conservative"
    MODERATE = "moderate"
    AGGRESSIVE = "aggressive"


TIER_ORDER: tuple[TierName, ...] = (TierName.CONSERVATIVE, TierName.MODERATE, TierName.AGGRESSIVE)


class RiskTierConfig(BaseModel):
    """What a tier allows. Fractions are of the active pool (position) or of the portfolio."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: TierName
    min_confidence: Decimal = Field(gt=0, le=1)
    max_position_pct: Decimal = Field(gt=0, le=1)
    stop_loss_atr_multiplier: Decimal = Field(gt=0)
    reward_risk_ratio: Decimal = Field(gt=0)
    max_sector_pct: Decimal = Field(gt=0, le=1)
    max_portfolio_heat: Decimal = Field(gt=0, le=1)


class TierPolicy(BaseModel):
    """The controller's thresholds (seed task 9.1)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    downgrade_win_rate_below: float = Field(default=0.40, ge=0, le=1)
    downgrade_drawdown_above: float = Field(default=0.15, ge=0, le=1)
    upgrade_win_rate_above: float = Field(default=0.55, ge=0, le=1)
    upgrade_reserve_above: float = Field(default=0.20, ge=0, le=1)
    upgrade_drawdown_below: float = Field(default=0.05, ge=0, le=1)
    min_trades: int = Field(
        default=5, ge=1, description="fewer closed trades in the window: win rate unknown"
    )


@dataclass(frozen=True, slots=True)
class TierSignals:
    """The controller's inputs. ``win_rate`` is None while no trade closed in the window;
    ``drawdown`` is a positive fraction below the peak; ``reserve_pct`` is reserve / total."""

    win_rate: float | None
    drawdown: float
    reserve_pct: float


@dataclass(frozen=True, slots=True)
class TierChange:
    """One row of the tier history: when, from, to, why, and the numbers that decided it."""

    ts: datetime
    previous: TierName
    new: TierName
    trigger: str
    metrics: dict[str, float | None]


def evaluate_tier(
    current: TierName, signals: TierSignals, policy: TierPolicy, now: datetime
) -> TierChange | None:
    """The tier for tomorrow, as a change record, or None when it stays."""
    level = TIER_ORDER.index(current)
    metrics: dict[str, float | None] = {
        "win_rate": signals.win_rate,
        "drawdown": signals.drawdown,
        "reserve_pct": signals.reserve_pct,
    }
    low_wins = signals.win_rate is not None and signals.win_rate < policy.downgrade_win_rate_below
    deep = signals.drawdown > policy.downgrade_drawdown_above
    if (low_wins or deep) and level > 0:
        trigger = "win_rate_below_threshold" if low_wins else "drawdown_above_threshold"
        return TierChange(now, current, TIER_ORDER[level - 1], trigger, metrics)
    if low_wins or deep:
        return None
    upgrade = (
        signals.win_rate is not None
        and signals.win_rate > policy.upgrade_win_rate_above
        and signals.reserve_pct > policy.upgrade_reserve_above
        and signals.drawdown < policy.upgrade_drawdown_below
    )
    if upgrade and level < len(TIER_ORDER) - 1:
        return TierChange(now, current, TIER_ORDER[level + 1], "strong_performance", metrics)
    return None
