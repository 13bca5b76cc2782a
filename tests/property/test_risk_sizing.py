"""Seed properties of the position sizer: 1, 2, 3, 4, 5, 19, 24 (and 7 for the sizer half)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tradebot.risk.config import DEFAULT_TIERS, MicroRules, SizingRules
from tradebot.risk.reserve import ReserveState, active_pool
from tradebot.risk.sectors import SectorTable, sector_exposure
from tradebot.risk.sizing import PositionSizer, SizingRequest, SizingResult, correlation_factor
from tradebot.risk.tiers import RiskTierConfig, TierName

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

RULES = SizingRules()
SIZER = PositionSizer(RULES, MicroRules())

money = st.decimals(min_value=Decimal(50), max_value=Decimal(2_000_000), places=2)
prices = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(5000), places=2)
confidences = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
fractions = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=3)


@st.composite
def tiers(draw: st.DrawFn) -> RiskTierConfig:
    return RiskTierConfig(
        name=draw(st.sampled_from(list(TierName))),
        min_confidence=draw(st.decimals(Decimal("0.05"), Decimal(1), places=2)),
        max_position_pct=draw(fractions),
        stop_loss_atr_multiplier=draw(st.decimals(Decimal("0.5"), Decimal(4), places=1)),
        reward_risk_ratio=draw(st.decimals(Decimal("0.5"), Decimal(4), places=1)),
        max_sector_pct=draw(fractions),
        max_portfolio_heat=draw(fractions),
    )


@st.composite
def requests(draw: st.DrawFn, /, **fixed: object) -> SizingRequest:
    total = draw(money)
    reserve = draw(st.decimals(Decimal(0), total, places=2))
    price = draw(prices)
    values = {
        "confidence": draw(confidences),
        "price": price,
        "lot_size": draw(st.sampled_from([Decimal(1), Decimal("0.001")])),
        "active_pool": total - reserve,
        "total_value": total,
        "spendable_cash": draw(st.just(total) | st.decimals(Decimal(0), total, places=2)),
        "stop_distance": price * draw(st.decimals(Decimal("0.001"), Decimal("0.5"), places=3)),
        "current_heat": draw(st.decimals(Decimal(0), total / 10, places=2)),
        "sector": draw(st.sampled_from(["Tech", "Energy", "Health"])),
        "sector_exposure": draw(
            st.dictionaries(
                st.sampled_from(["Tech", "Energy", "Health", "Banks"]),
                st.decimals(Decimal(0), total / 2, places=2),
                max_size=4,
            )
        ),
        "correlation": draw(st.none() | st.floats(-1.0, 1.0, allow_nan=False)),
        "earnings_days": draw(st.none() | st.integers(0, 30)),
        "is_micro": draw(st.booleans()),
    }
    values.update(fixed)
    return SizingRequest(**values)  # type: ignore[arg-type]


def _allocated(result: SizingResult) -> Decimal:
    """The allocation step's dollars (0 when rejected before it)."""
    step = next((c for c in result.checks if c.name == "allocation"), None)
    return step.size_after if step is not None and step.size_after is not None else Decimal(0)


def _check(result: SizingResult, name: str) -> bool | None:
    found = [c for c in result.checks if c.name == name]
    return found[0].passed if found else None


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(req=requests(), tier=tiers())
def test_property_01_position_size_never_exceeds_caps(
    req: SizingRequest, tier: RiskTierConfig
) -> None:
    result = SIZER.size(req, tier)
    if req.confidence < float(tier.min_confidence) or req.active_pool < RULES.active_pool_minimum:
        assert result.rejected and result.quantity == 0
        return
    if result.rejected:
        assert result.quantity == 0 and result.dollars == 0
        return
    notional = result.quantity * req.price
    assert result.dollars == notional
    assert notional <= tier.max_position_pct * req.active_pool
    assert notional <= RULES.absolute_position_cap
    if req.is_micro:
        assert notional <= MicroRules().allocation_cap_pct * req.active_pool
    # whole lots, rounded down: one more lot would break the last cap applied
    assert result.quantity % req.lot_size == 0
    assert result.quantity > 0
    cap_before_rounding = next(c for c in result.checks if c.name == "quantity").size_before
    assert cap_before_rounding is not None
    assert notional <= cap_before_rounding < notional + req.lot_size * req.price


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(
    req=requests(
        sector_exposure={},
        current_heat=Decimal(0),
        correlation=None,
        earnings_days=None,
        is_micro=False,
    ),
    tier=tiers(),
)
def test_property_01_absolute_cap_binds_large_pools(
    req: SizingRequest, tier: RiskTierConfig
) -> None:
    """With room everywhere else, a large pool is held to the absolute cap exactly."""
    result = SIZER.size(replace(req, spendable_cash=req.total_value), tier)
    cap = next((c for c in result.checks if c.name == "absolute cap"), None)
    if cap is None:
        return
    assert cap.size_after == min(cap.size_before or Decimal(0), RULES.absolute_position_cap)
    if not result.rejected:
        assert result.dollars <= RULES.absolute_position_cap


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(req=requests(correlation=None, earnings_days=None, is_micro=False), tier=tiers())
def test_property_01_formula_before_caps(req: SizingRequest, tier: RiskTierConfig) -> None:
    """``pct = base × conf / min_conf × multipliers`` clamped to the tier's max."""
    assume(req.confidence >= float(tier.min_confidence))
    assume(req.active_pool >= RULES.active_pool_minimum)
    result = SIZER.size(req, tier)
    allocation = next(c for c in result.checks if c.name == "allocation")
    held = {s for s, v in req.sector_exposure.items() if v > 0}
    bonus = RULES.diversification_bonus if len(held) < 3 and req.sector not in held else 1
    conf = Decimal(repr(req.confidence))
    expected = min(
        RULES.base_allocation_pct * conf / tier.min_confidence * bonus, tier.max_position_pct
    )
    assert allocation.size_after == req.active_pool * expected


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    req=requests(earnings_days=None, is_micro=False),
    tier=tiers(),
    low=st.floats(-1.0, 1.0, allow_nan=False),
    high=st.floats(-1.0, 1.0, allow_nan=False),
)
def test_property_02_correlation_reduces_then_rejects(
    req: SizingRequest, tier: RiskTierConfig, low: float, high: float
) -> None:
    low, high = min(low, high), max(low, high)
    a = SIZER.size(replace(req, correlation=low), tier)
    b = SIZER.size(replace(req, correlation=high), tier)
    # more correlation never allocates more; after the caps (all monotone) neither does it buy
    # more, except that heat rejects a size instead of trimming it, so the larger of two
    # allocations can be refused where the smaller one fits
    assert _allocated(b) <= _allocated(a)
    if not a.rejected and not b.rejected:
        assert b.dollars <= a.dollars
    if a.rejected and not b.rejected:
        assert a.checks[-1].name == "portfolio heat"
    for corr, result in ((low, a), (high, b)):
        if corr > RULES.correlation_reject_above and _check(result, "correlation") is not None:
            assert result.rejected and _check(result, "correlation") is False
    assert correlation_factor(low, RULES) >= correlation_factor(high, RULES)
    if high <= RULES.correlation_reduce_above:
        assert correlation_factor(high, RULES) == 1
    elif high <= RULES.correlation_reject_above:
        assert correlation_factor(high, RULES) < 1


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(req=requests(), tier=tiers())
def test_property_02_unchanged_at_or_below_half(req: SizingRequest, tier: RiskTierConfig) -> None:
    plain = SIZER.size(replace(req, correlation=None), tier)
    mild = SIZER.size(replace(req, correlation=0.5), tier)
    assert plain.dollars == mild.dollars and plain.rejected == mild.rejected


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    holdings=st.lists(
        st.tuples(st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]), money), max_size=8
    ),
    req=requests(),
    tier=tiers(),
)
def test_property_03_sector_exposure_and_cap(
    holdings: list[tuple[str, Decimal]], req: SizingRequest, tier: RiskTierConfig
) -> None:
    table = SectorTable({"AAA": "Tech", "BBB": "Tech", "CCC": "Energy", "DDD": "Health"})
    exposure = sector_exposure(holdings, table)
    for sector in {table.sector(s) for s, _ in holdings}:
        assert exposure[sector] == sum(v for s, v in holdings if table.sector(s) == sector)
    result = SIZER.size(replace(req, sector_exposure=exposure), tier)
    if not result.rejected:
        after = exposure.get(req.sector, Decimal(0)) + result.dollars
        assert after <= tier.max_sector_pct * req.total_value
    elif _check(result, "sector cap") is False:
        assert exposure.get(req.sector, Decimal(0)) >= tier.max_sector_pct * req.total_value


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(req=requests(correlation=None, earnings_days=None), tier=tiers())
def test_property_04_diversification_bonus_only_for_new_sector_below_three(
    req: SizingRequest, tier: RiskTierConfig
) -> None:
    result = SIZER.size(req, tier)
    bonus = [c for c in result.checks if c.name == "diversification bonus"]
    if not bonus:
        return  # rejected before the bonus was considered
    held = {s for s, v in req.sector_exposure.items() if v > 0}
    expected = len(held) < 3 and req.sector not in held
    assert (bonus[0].effect.value == "scale") is expected
    multiplier = next(c for c in result.checks if c.name == "allocation").inputs["multiplier"]
    assert multiplier == (RULES.diversification_bonus if expected else 1)


@settings(deadline=None, suppress_health_check=LOADED)
@given(total=money, reserve=money)
def test_property_05_active_pool_is_total_minus_reserve(total: Decimal, reserve: Decimal) -> None:
    assert active_pool(total, ReserveState(balance=reserve)) == total - reserve


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(req=requests(), tier=tiers(), pool=st.decimals(Decimal(0), Decimal(99), places=2))
def test_property_07_active_pool_minimum_rejects_entries(
    req: SizingRequest, tier: RiskTierConfig, pool: Decimal
) -> None:
    result = SIZER.size(replace(req, active_pool=pool), tier)
    assert result.rejected and result.checks[0].name == "active pool minimum"
    assert result.quantity == 0


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(req=requests(correlation=None), tier=tiers(), days=st.integers(0, 40))
def test_property_19_earnings_proximity(
    req: SizingRequest, tier: RiskTierConfig, days: int
) -> None:
    near = SIZER.size(replace(req, earnings_days=days), tier)
    far = SIZER.size(replace(req, earnings_days=None), tier)
    verdict = _check(near, "earnings proximity")
    if verdict is None:
        return  # rejected before (pool minimum or confidence gate), same as without earnings
    if days <= 1:
        assert near.rejected and verdict is False
    elif days <= 3:
        scaled = next(c for c in near.checks if c.name == "allocation").inputs["multiplier"]
        plain = next(c for c in far.checks if c.name == "allocation").inputs["multiplier"]
        assert isinstance(scaled, Decimal) and isinstance(plain, Decimal)
        assert scaled == plain * Decimal("0.5")
        assert near.dollars <= far.dollars
    else:
        assert near.dollars == far.dollars and near.rejected == far.rejected


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(req=requests(), tier=tiers())
def test_property_24_heat_never_exceeds_the_tier_max(
    req: SizingRequest, tier: RiskTierConfig
) -> None:
    result = SIZER.size(req, tier)
    limit = tier.max_portfolio_heat * req.total_value
    if not result.rejected:
        added = result.dollars * req.stop_distance / req.price
        assert req.current_heat + added <= limit
    elif _check(result, "portfolio heat") is False:
        heat_in = next(c for c in result.checks if c.name == "portfolio heat").inputs
        assert isinstance(heat_in["heat_added"], Decimal)
        assert req.current_heat + heat_in["heat_added"] > limit


def test_default_tiers_are_ordered_from_conservative_to_aggressive() -> None:
    c, m, a = (DEFAULT_TIERS[t] for t in TierName)
    assert c.min_confidence > m.min_confidence > a.min_confidence
    assert c.max_position_pct < m.max_position_pct < a.max_position_pct
    assert c.max_sector_pct < m.max_sector_pct < a.max_sector_pct
    assert c.max_portfolio_heat < m.max_portfolio_heat < a.max_portfolio_heat
