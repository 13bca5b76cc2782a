"""Every default of the risk engine, in one place.

Frozen pydantic models that refuse unknown keys, so a typo in a YAML file is an error and
not a silently ignored limit. Values come from the seed (02, tasks 3–17) where it gives
them; where it is silent (the tier table, breaker thresholds and cooldowns, the siphon and
emergency percentages, the absolute cap) the choice is ours and is marked *chosen* below,
with the reason in ``risk/README.md``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradebot.risk.tiers import RiskTierConfig, TierName, TierPolicy

__all__ = [
    "DEFAULT_TIERS",
    "BreakerRules",
    "EntryRules",
    "GradualEntryRules",
    "MicroRules",
    "PortfolioRules",
    "ReserveRules",
    "RiskConfig",
    "SizingRules",
    "StopRules",
    "WindowRules",
]


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _tier(
    name: TierName, conf: str, pos: str, atr: str, rr: str, sector: str, heat: str
) -> RiskTierConfig:
    return RiskTierConfig(
        name=name,
        min_confidence=Decimal(conf),
        max_position_pct=Decimal(pos),
        stop_loss_atr_multiplier=Decimal(atr),
        reward_risk_ratio=Decimal(rr),
        max_sector_pct=Decimal(sector),
        max_portfolio_heat=Decimal(heat),
    )


# chosen: the seed names the fields but not the values. Confidence thresholds sit around the
# 0.6 that our technical strategies report, so moderate trades them and conservative only
# just; conservative < moderate < aggressive in position size, sector share and heat.
DEFAULT_TIERS: dict[TierName, RiskTierConfig] = {
    TierName.CONSERVATIVE: _tier(TierName.CONSERVATIVE, "0.60", "0.05", "1.5", "3", "0.25", "0.06"),
    TierName.MODERATE: _tier(TierName.MODERATE, "0.50", "0.10", "2", "2", "0.35", "0.10"),
    TierName.AGGRESSIVE: _tier(TierName.AGGRESSIVE, "0.40", "0.15", "2.5", "1.5", "0.50", "0.15"),
}


class SizingRules(_Rules):
    """Seed 4.1: ``raw = base × confidence / min_confidence × multipliers``, then the caps."""

    base_allocation_pct: Decimal = Field(default=Decimal("0.05"), gt=0, le=1)  # chosen
    absolute_position_cap: Decimal = Field(default=Decimal(25_000), gt=0)  # chosen
    active_pool_minimum: Decimal = Field(default=Decimal(100), ge=0)
    correlation_reduce_above: float = Field(default=0.5, ge=-1, le=1)
    correlation_reject_above: float = Field(default=0.8, ge=-1, le=1)
    correlation_max_reduction: Decimal = Field(
        default=Decimal("0.5"), ge=0, le=1, description="cut just below the reject threshold"
    )
    correlation_lookback_days: int = Field(default=90, ge=2)
    correlation_min_overlap: int = Field(default=20, ge=2)
    diversification_bonus: Decimal = Field(default=Decimal("1.2"), ge=1)
    diversification_min_sectors: int = Field(default=3, ge=1)
    earnings_reduce_within_days: int = Field(default=3, ge=0)
    earnings_reduce_factor: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    earnings_reject_within_days: int = Field(default=1, ge=0)
    cash_buffer: Decimal = Field(
        default=Decimal("0.02"), ge=0, lt=1, description="headroom for fees and the fill gap"
    )

    @model_validator(mode="after")
    def _ordered(self) -> SizingRules:
        if self.correlation_reduce_above > self.correlation_reject_above:
            raise ValueError("correlation_reduce_above must not exceed correlation_reject_above")
        if self.earnings_reject_within_days > self.earnings_reduce_within_days:
            raise ValueError("earnings_reject_within_days must not exceed the reduce window")
        return self


class StopRules(_Rules):
    """Seed 6.1: ATR stops, trailing to breakeven, tightening, re-evaluation, stale data."""

    trailing_trigger_fraction: Decimal = Field(default=Decimal("0.5"), gt=0, lt=1)
    atr_change_reevaluate: float = Field(default=0.10, gt=0)
    earnings_tighten_multiplier: Decimal = Field(default=Decimal("0.7"), gt=0, le=1)
    earnings_tighten_within_days: int = Field(default=3, ge=0)
    event_tighten_multiplier: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)
    heat_tighten_at: Decimal = Field(default=Decimal("0.8"), gt=0, le=1)
    heat_tighten_multiplier: Decimal = Field(default=Decimal("0.7"), gt=0, le=1)  # chosen
    stale_after: timedelta = Field(default=timedelta(minutes=15), gt=timedelta(0))
    default_tick: Decimal = Field(default=Decimal("0.01"), gt=0)


class ReserveRules(_Rules):
    """Seed 7.1: profit siphon, emergency release, high-water signal."""

    siphon_pct: Decimal = Field(default=Decimal("0.20"), ge=0, le=1)  # chosen
    emergency_drawdown_pct: Decimal = Field(default=Decimal("0.20"), gt=0, le=1)  # chosen
    high_water_pct: Decimal = Field(default=Decimal("0.30"), gt=0, le=1)


class BreakerRules(_Rules):
    """Seed 8.1: one threshold and cooldown per rule (values chosen; the seed names them)."""

    daily_loss_pct: Decimal = Field(default=Decimal("0.05"), gt=0, le=1)
    daily_loss_cooldown: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))
    single_position_loss_pct: Decimal = Field(default=Decimal("0.08"), gt=0, le=1)
    ticker_cooldown: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))
    volatility_stop_count: int = Field(default=3, ge=1)
    volatility_window: timedelta = Field(default=timedelta(minutes=30), gt=timedelta(0))
    volatility_cooldown: timedelta = Field(default=timedelta(hours=1), gt=timedelta(0))


class PortfolioRules(_Rules):
    """Seeds 13.1 and 15.1: open-position limit and the declining-positions halt."""

    max_open_positions: int = Field(default=10, ge=1)
    declining_loss_pct: Decimal = Field(default=Decimal("0.02"), gt=0, lt=1)
    declining_share_above: Decimal = Field(default=Decimal("0.5"), ge=0, lt=1)


class WindowRules(_Rules):
    """Seed 12.1: entries 9:45–15:45 New York time, i.e. 15 min inside the session."""

    after_open: timedelta = Field(default=timedelta(minutes=15), ge=timedelta(0))
    before_close: timedelta = Field(default=timedelta(minutes=15), ge=timedelta(0))
    rebalance_weekday: int = Field(default=0, ge=0, le=6, description="0 = Monday")


class GradualEntryRules(_Rules):
    """Seed 12.2: split entries above ``min(threshold_dollars, pool_pct × active pool)``."""

    enabled: bool = True
    threshold_dollars: Decimal = Field(default=Decimal(30), ge=0)
    threshold_pool_pct: Decimal = Field(default=Decimal("0.05"), ge=0, le=1)
    tranches: int = Field(default=3, ge=2)
    interval: timedelta = Field(default=timedelta(minutes=5), ge=timedelta(0))
    cancel_drop_pct: Decimal = Field(
        default=Decimal("0.02"), gt=0, lt=1, description="cancel when price falls this far"
    )


class MicroRules(_Rules):
    """Seed 17.1: intraday micro-trades with their own caps and tighter stops."""

    enabled: bool = False
    allocation_cap_pct: Decimal = Field(default=Decimal("0.03"), gt=0, le=1)
    stop_loss_atr_multiplier: Decimal = Field(default=Decimal(1), gt=0)
    reward_risk_ratio: Decimal = Field(default=Decimal("1.5"), gt=0)
    max_daily: int = Field(default=10, ge=0)
    max_hold: timedelta = Field(default=timedelta(hours=2), gt=timedelta(0))


class EntryRules(_Rules):
    """Recommendation de-duplication (seed 13.1)."""

    dedupe_ttl: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))


class RiskConfig(_Rules):
    """The whole risk engine's configuration. ``RiskConfig()`` is the seed's defaults."""

    tier: TierName = TierName.MODERATE
    tiers: dict[TierName, RiskTierConfig] = Field(default_factory=lambda: dict(DEFAULT_TIERS))
    tier_policy: TierPolicy = TierPolicy()
    sizing: SizingRules = SizingRules()
    stops: StopRules = StopRules()
    reserve: ReserveRules = ReserveRules()
    breakers: BreakerRules = BreakerRules()
    portfolio: PortfolioRules = PortfolioRules()
    window: WindowRules = WindowRules()
    gradual: GradualEntryRules = GradualEntryRules()
    micro: MicroRules = MicroRules()
    entry: EntryRules = EntryRules()
    wash_sale_days: int = Field(default=30, ge=0)
    performance_window_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _all_tiers(self) -> RiskConfig:
        missing = [t.value for t in TierName if t not in self.tiers]
        if missing:
            raise ValueError(f"tiers is missing {', '.join(missing)}; give all three tiers")
        for name, tier in self.tiers.items():
            if tier.name is not name:
                raise ValueError(f"tiers[{name.value}] is named {tier.name.value}")
        return self

    def tier_config(self, name: TierName) -> RiskTierConfig:
        return self.tiers[name]
