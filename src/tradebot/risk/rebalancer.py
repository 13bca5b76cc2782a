"""The weekly rebalancer: sell what outgrew its limits (seed 15.1).

Three passes over the open positions, each on the result of the one before:

1. **Position cap** — a position worth more than ``max_position_pct`` of the active pool is
   trimmed back to the cap.
2. **Sector cap** — a sector worth more than ``max_sector_pct`` of the total value is
   reduced by selling its **lowest-confidence** positions first.
3. **Open-position limit** — beyond ``max_open_positions``, the lowest-confidence positions
   are closed.

Sell quantities are rounded *up* to the position's lot (so the result is inside the limit)
and never exceed what is held. It runs once a week, at the first entry window on or after
the configured weekday; the engine skips it while a global circuit breaker is active
(rebalancing is discretionary, protection is not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, Decimal

from tradebot.risk.calendar import local_day
from tradebot.risk.sectors import SectorTable
from tradebot.risk.tiers import RiskTierConfig
from tradebot.risk.views import PositionView

__all__ = ["RebalanceSell", "plan_rebalance", "rebalance_due"]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class RebalanceSell:
    symbol: str
    quantity: Decimal
    reason: str


def _lots_for(value: Decimal, pos: PositionView) -> Decimal:
    """Quantity worth at least ``value``, rounded up to the lot, at most the holding."""
    if value <= 0 or pos.last_price <= 0:
        return _ZERO
    lots = (value / pos.last_price / pos.lot_size).to_integral_value(rounding=ROUND_CEILING)
    return min(lots * pos.lot_size, pos.quantity)


def plan_rebalance(
    positions: Mapping[str, PositionView],
    confidence: Mapping[str, float],
    sectors: SectorTable,
    tier: RiskTierConfig,
    active_pool: Decimal,
    total_value: Decimal,
    max_open_positions: int,
) -> list[RebalanceSell]:
    """The sells, one per symbol at most, in the order the passes produced them."""
    held = {s: p.quantity for s, p in positions.items()}
    sells: dict[str, tuple[Decimal, list[str]]] = {}

    def sell(symbol: str, qty: Decimal, reason: str) -> None:
        qty = min(qty, held[symbol])
        if qty <= 0:
            return
        held[symbol] -= qty
        done, reasons = sells.get(symbol, (_ZERO, []))
        sells[symbol] = (done + qty, [*reasons, reason])

    def value(symbol: str) -> Decimal:
        return held[symbol] * positions[symbol].last_price

    order = sorted(positions, key=lambda s: (confidence.get(s, 0.0), s))
    cap = tier.max_position_pct * active_pool
    for symbol in order:
        excess = value(symbol) - cap
        if excess > 0:
            sell(symbol, _lots_for(excess, positions[symbol]), "position_cap")
    sector_cap = tier.max_sector_pct * total_value
    by_sector: dict[str, list[str]] = {}
    for symbol in order:
        by_sector.setdefault(sectors.sector(symbol), []).append(symbol)
    for members in by_sector.values():
        excess = sum((value(s) for s in members), _ZERO) - sector_cap
        for symbol in members:
            if excess <= 0:
                break
            qty = _lots_for(excess, positions[symbol])
            before = value(symbol)
            sell(symbol, qty, "sector_cap")
            excess -= before - value(symbol)
    still_open = [s for s in order if held[s] > 0]
    for symbol in still_open[: max(0, len(still_open) - max_open_positions)]:
        sell(symbol, held[symbol], "max_open_positions")
    return [RebalanceSell(s, q, "+".join(r)) for s, (q, r) in sells.items()]


def rebalance_due(last: date | None, now: datetime, weekday: int) -> bool:
    """True once per ISO week, from the configured weekday on (New York dates)."""
    today = local_day(now)
    if today.weekday() < weekday:
        return False
    return last is None or last.isocalendar()[:2] != today.isocalendar()[:2]
