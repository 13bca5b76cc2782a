"""The position sizer (seed 4.1): how many shares, and every rule that changed the number.

In this order, each a :class:`~tradebot.risk.trace.RiskCheck` with its effect on size:

1. **active pool minimum** — no entry while the active pool is below the minimum ($100);
2. **confidence gate** — confidence below the tier's minimum → reject;
3. **earnings proximity** — next earnings within 1 trading day → reject, within 3 → × 0.5;
4. **correlation** — value-weighted average correlation with the holdings above 0.8 →
   reject; above 0.5 → reduced linearly, from × 1 at 0.5 to × (1 − max reduction) at 0.8;
5. **diversification bonus** — × 1.2 for a sector not yet held while fewer than 3 are held;
6. **allocation** — ``pct = base × confidence / min_confidence × multipliers``, clamped to
   the tier's ``max_position_pct`` (micro: also to the micro cap); dollars = active pool × pct;
7. **absolute cap** — dollars ≤ ``absolute_position_cap``;
8. **sector cap** — the sector's value after the entry ≤ ``max_sector_pct`` of the total;
9. **cash** — dollars ≤ spendable cash / (1 + buffer);
10. **quantity** — rounded down to whole shares (or the instrument's lot); 0 → reject;
11. **portfolio heat** — heat after the entry ≤ the tier's ``max_portfolio_heat``, else reject.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from tradebot.risk.config import MicroRules, SizingRules
from tradebot.risk.tiers import RiskTierConfig
from tradebot.risk.trace import RiskCheck, SizeEffect

__all__ = ["PositionSizer", "SizingRequest", "SizingResult", "correlation_factor"]

_ZERO = Decimal(0)
_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class SizingRequest:
    """Everything the sizer reads; money in the portfolio's currency."""

    confidence: float
    price: Decimal
    lot_size: Decimal
    active_pool: Decimal
    total_value: Decimal
    spendable_cash: Decimal
    stop_distance: Decimal
    current_heat: Decimal
    sector: str
    sector_exposure: Mapping[str, Decimal]
    correlation: float | None = None
    earnings_days: int | None = None
    is_micro: bool = False


@dataclass(frozen=True, slots=True)
class SizingResult:
    checks: tuple[RiskCheck, ...]
    dollars: Decimal
    quantity: Decimal
    rejected: bool
    reason: str


def correlation_factor(corr: float, rules: SizingRules) -> Decimal:
    """1 at or below the reduce threshold, falling linearly to ``1 − max_reduction`` at the
    reject threshold (monotone: more correlation never means a bigger position)."""
    low, high = rules.correlation_reduce_above, rules.correlation_reject_above
    if corr <= low or high <= low:
        return _ONE
    share = Decimal(repr(min(corr, high) - low)) / Decimal(repr(high - low))
    return _ONE - rules.correlation_max_reduction * share


class PositionSizer:
    __slots__ = ("_micro", "_rules")

    def __init__(self, rules: SizingRules, micro: MicroRules) -> None:
        self._rules = rules
        self._micro = micro

    def size(self, req: SizingRequest, tier: RiskTierConfig) -> SizingResult:
        rules = self._rules
        checks: list[RiskCheck] = []

        def reject(name: str, detail: str, inputs: Mapping[str, object]) -> SizingResult:
            checks.append(RiskCheck(name, False, detail, inputs, SizeEffect.REJECT))
            return SizingResult(tuple(checks), _ZERO, _ZERO, True, f"{name}: {detail}")

        pool_in = {"active_pool": req.active_pool, "minimum": rules.active_pool_minimum}
        if req.active_pool < rules.active_pool_minimum:
            return reject("active pool minimum", "active pool below the minimum", pool_in)
        checks.append(
            RiskCheck("active pool minimum", True, "active pool above the minimum", pool_in)
        )

        conf = Decimal(repr(req.confidence))
        conf_in = {
            "confidence": req.confidence,
            "min_confidence": tier.min_confidence,
            "tier": tier.name,
        }
        if conf < tier.min_confidence:
            return reject(
                "confidence gate", f"confidence {conf} below the {tier.name} minimum", conf_in
            )
        checks.append(
            RiskCheck(
                "confidence gate", True, f"confidence {conf} clears {tier.min_confidence}", conf_in
            )
        )

        multiplier = _ONE
        days = req.earnings_days
        earn_in = {"trading_days_to_earnings": days}
        if days is not None and days <= rules.earnings_reject_within_days:
            return reject("earnings proximity", f"earnings in {days} trading day(s)", earn_in)
        if days is not None and days <= rules.earnings_reduce_within_days:
            multiplier *= rules.earnings_reduce_factor
            checks.append(
                RiskCheck(
                    "earnings proximity",
                    True,
                    f"earnings in {days} trading days: size × {rules.earnings_reduce_factor}",
                    earn_in,
                    SizeEffect.SCALE,
                )
            )
        else:
            far = "no earnings date known" if days is None else f"earnings in {days} trading days"
            checks.append(RiskCheck("earnings proximity", True, far, earn_in))

        corr = req.correlation
        corr_in = {"weighted_correlation": corr, "reject_above": rules.correlation_reject_above}
        if corr is not None and corr > rules.correlation_reject_above:
            return reject("correlation", f"average correlation {corr:.3f} with holdings", corr_in)
        factor = _ONE if corr is None else correlation_factor(corr, rules)
        multiplier *= factor
        corr_detail = "nothing held" if corr is None else f"average correlation {corr:.3f}"
        if factor != _ONE:
            corr_detail += f": size × {factor:.4f}"
        checks.append(
            RiskCheck(
                "correlation",
                True,
                corr_detail,
                corr_in,
                SizeEffect.SCALE if factor != _ONE else SizeEffect.NONE,
            )
        )

        held = {s for s, v in req.sector_exposure.items() if v > 0}
        bonus = len(held) < rules.diversification_min_sectors and req.sector not in held
        div_in = {"sector": req.sector, "sectors_held": sorted(held)}
        if bonus:
            multiplier *= rules.diversification_bonus
            detail = (
                f"new sector {req.sector} with {len(held)} held: × {rules.diversification_bonus}"
            )
        else:
            detail = f"no bonus ({len(held)} sectors held)"
        checks.append(
            RiskCheck(
                "diversification bonus",
                True,
                detail,
                div_in,
                SizeEffect.SCALE if bonus else SizeEffect.NONE,
            )
        )

        raw_pct = rules.base_allocation_pct * conf / tier.min_confidence * multiplier
        cap_pct = tier.max_position_pct
        if req.is_micro:
            cap_pct = min(cap_pct, self._micro.allocation_cap_pct)
        pct = min(raw_pct, cap_pct)
        dollars = req.active_pool * pct
        checks.append(
            RiskCheck(
                "allocation",
                True,
                f"{pct:.4%} of the active pool" + (" (capped)" if pct < raw_pct else ""),
                {
                    "base_pct": rules.base_allocation_pct,
                    "confidence_ratio": conf / tier.min_confidence,
                    "multiplier": multiplier,
                    "raw_pct": raw_pct,
                    "cap_pct": cap_pct,
                    "active_pool": req.active_pool,
                },
                SizeEffect.SET,
                None,
                dollars,
            )
        )

        cap = rules.absolute_position_cap
        before = dollars
        dollars = min(dollars, cap)
        checks.append(
            RiskCheck(
                "absolute cap",
                True,
                f"capped at {cap}" if dollars < before else f"{before:.2f} within {cap}",
                {"absolute_cap": cap},
                SizeEffect.CAP if dollars < before else SizeEffect.NONE,
                before,
                dollars,
            )
        )

        exposure = req.sector_exposure.get(req.sector, _ZERO)
        room = tier.max_sector_pct * req.total_value - exposure
        sector_in = {
            "sector": req.sector,
            "exposure": exposure,
            "max_sector_pct": tier.max_sector_pct,
            "total_value": req.total_value,
        }
        if room <= 0:
            return reject("sector cap", f"{req.sector} already at its cap", sector_in)
        before = dollars
        dollars = min(dollars, room)
        checks.append(
            RiskCheck(
                "sector cap",
                True,
                f"{req.sector} room {room:.2f}",
                sector_in,
                SizeEffect.CAP if dollars < before else SizeEffect.NONE,
                before,
                dollars,
            )
        )

        affordable = req.spendable_cash / (_ONE + rules.cash_buffer)
        cash_in = {"spendable_cash": req.spendable_cash, "buffer": rules.cash_buffer}
        if affordable <= 0:
            return reject("cash", "no spendable cash", cash_in)
        before = dollars
        dollars = min(dollars, affordable)
        checks.append(
            RiskCheck(
                "cash",
                True,
                f"{affordable:.2f} spendable after buffer",
                cash_in,
                SizeEffect.CAP if dollars < before else SizeEffect.NONE,
                before,
                dollars,
            )
        )

        lot = req.lot_size
        quantity = (dollars / req.price / lot).to_integral_value(rounding=ROUND_DOWN) * lot
        notional = quantity * req.price
        qty_in = {"price": req.price, "lot_size": lot, "quantity": quantity}
        if quantity <= 0:
            return reject(
                "quantity", f"{dollars:.2f} buys less than one lot at {req.price}", qty_in
            )
        checks.append(
            RiskCheck(
                "quantity",
                True,
                f"{quantity} at {req.price} = {notional:.2f}",
                qty_in,
                SizeEffect.SET,
                dollars,
                notional,
            )
        )

        added = notional * req.stop_distance / req.price
        after = req.current_heat + added
        limit = tier.max_portfolio_heat * req.total_value
        heat_in = {
            "heat_before": req.current_heat,
            "heat_added": added,
            "heat_limit": limit,
            "max_portfolio_heat": tier.max_portfolio_heat,
        }
        if after > limit:
            return reject("portfolio heat", f"heat {after:.2f} would exceed {limit:.2f}", heat_in)
        checks.append(
            RiskCheck("portfolio heat", True, f"heat {after:.2f} within {limit:.2f}", heat_in)
        )
        return SizingResult(tuple(checks), notional, quantity, False, "sized")
