"""Seed properties of tiers and portfolio rules: 12, 16, 17, 18 (and 3.2's tier ranges)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.domain.enums import DecisionAction, Direction
from tradebot.risk import (
    DEFAULT_TIERS,
    AssetClass,
    PositionView,
    RiskEngine,
    SignalView,
    StaticMarket,
    StaticPortfolio,
    TierName,
)
from tradebot.risk.config import PortfolioRules
from tradebot.risk.portfolio_rules import declining_halt, slots_in_use
from tradebot.risk.rebalancer import plan_rebalance
from tradebot.risk.sectors import SectorTable
from tradebot.risk.tiers import TIER_ORDER, TierPolicy, TierSignals, evaluate_tier

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

NOW = datetime(2021, 3, 1, 15, tzinfo=UTC)
POLICY = TierPolicy()
rates = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=500, deadline=None, suppress_health_check=LOADED)
@given(
    tier=st.sampled_from(list(TierName)),
    win_rate=st.none() | rates,
    drawdown=rates,
    reserve=rates,
)
def test_property_12_tier_moves_one_level_on_the_seed_conditions(
    tier: TierName, win_rate: float | None, drawdown: float, reserve: float
) -> None:
    change = evaluate_tier(tier, TierSignals(win_rate, drawdown, reserve), POLICY, NOW)
    level = TIER_ORDER.index(tier)
    down = (win_rate is not None and win_rate < 0.40) or drawdown > 0.15
    up = win_rate is not None and win_rate > 0.55 and reserve > 0.20 and drawdown < 0.05
    if down:
        expected = TIER_ORDER[max(level - 1, 0)]
    elif up:
        expected = TIER_ORDER[min(level + 1, len(TIER_ORDER) - 1)]
    else:
        expected = tier
    if expected is tier:
        assert change is None
    else:
        assert change is not None
        assert change.previous is tier and change.new is expected
        assert abs(TIER_ORDER.index(change.new) - level) == 1
        assert change.metrics["drawdown"] == drawdown


def test_tier_defaults_have_valid_ranges() -> None:
    for name, tier in DEFAULT_TIERS.items():
        assert tier.name is name
        assert 0 < tier.min_confidence <= 1
        assert 0 < tier.max_position_pct <= tier.max_sector_pct <= 1
        assert 0 < tier.max_portfolio_heat <= 1
        assert tier.stop_loss_atr_multiplier > 0 and tier.reward_risk_ratio > 0


def _position(symbol: str, change: Decimal, qty: Decimal = Decimal(10)) -> PositionView:
    return PositionView(
        symbol,
        qty,
        Decimal(100),
        Decimal(100) * (1 + change),
        NOW - timedelta(days=2),
        AssetClass.CRYPTO,
    )


changes = st.decimals(Decimal("-0.2"), Decimal("0.2"), places=3)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(moves=st.lists(changes, min_size=0, max_size=10))
def test_property_16_declining_positions_halt_entries(moves: list[Decimal]) -> None:
    positions = [_position(f"S{i}", c) for i, c in enumerate(moves)]
    held = {p.symbol: p for p in positions}
    down = sum(1 for c in moves if c < Decimal("-0.02"))
    expected = bool(moves) and down > len(moves) / 2
    assert declining_halt(held, PortfolioRules()) is expected
    engine = RiskEngine()
    signal = SignalView(
        "x", "NEW", NOW, Direction.LONG, 0.9, Decimal(50), AssetClass.CRYPTO, Decimal("0.001")
    )
    outcome = engine.decide(
        signal,
        StaticPortfolio.of(Decimal(1_000_000), *positions),
        StaticMarket(atrs={"NEW": 1.0}),
        engine.initial_state(),
        NOW,
    )
    halted = any(c.name == "declining positions" and not c.passed for c in outcome.checks)
    assert halted is (expected and len(moves) < 10)  # the 10-position limit fires first


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(
    held=st.integers(0, 14),
    pending=st.integers(0, 4),
    limit=st.integers(1, 12),
)
def test_property_18_max_open_positions(held: int, pending: int, limit: int) -> None:
    positions = [_position(f"S{i}", Decimal(0)) for i in range(held)]
    pending_symbols = frozenset(f"P{i}" for i in range(pending))
    base = StaticPortfolio.of(Decimal(10_000_000), *positions)
    portfolio = StaticPortfolio(
        base.cash, base.equity, base.positions, pending_symbols=pending_symbols
    )
    from tradebot.risk import RiskConfig

    config = RiskConfig(portfolio=PortfolioRules(max_open_positions=limit))
    engine = RiskEngine(config)
    signal = SignalView(
        "x", "NEW", NOW, Direction.LONG, 0.9, Decimal(50), AssetClass.CRYPTO, Decimal("0.001")
    )
    outcome = engine.decide(
        signal, portfolio, StaticMarket(atrs={"NEW": 1.0}), engine.initial_state(), NOW
    )
    used = slots_in_use(portfolio.positions, pending_symbols, {})
    assert used == held + pending
    if used >= limit:
        assert outcome.action is DecisionAction.SKIP
        assert outcome.skip_reason == "max open positions"
    else:
        assert outcome.skip_reason != "max open positions"
        if outcome.acted:
            assert used + 1 <= limit  # the new entry never pushes past the limit


@st.composite
def books(draw: st.DrawFn) -> tuple[dict[str, PositionView], dict[str, float]]:
    n = draw(st.integers(1, 14))
    positions: dict[str, PositionView] = {}
    confidence: dict[str, float] = {}
    for i in range(n):
        symbol = f"S{i:02d}"
        qty = Decimal(draw(st.integers(1, 400)))
        price = draw(st.decimals(Decimal(5), Decimal(500), places=2))
        positions[symbol] = PositionView(symbol, qty, price, price, NOW)
        confidence[symbol] = draw(st.floats(0.0, 1.0, allow_nan=False))
    return positions, confidence


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(book=books(), tier=st.sampled_from(list(TierName)), limit=st.integers(1, 12))
def test_property_17_rebalancing_brings_the_book_inside_its_limits(
    book: tuple[dict[str, PositionView], dict[str, float]], tier: TierName, limit: int
) -> None:
    positions, confidence = book
    sectors = SectorTable({s: ("Tech" if int(s[1:]) % 3 else "Energy") for s in positions})
    cfg = DEFAULT_TIERS[tier]
    total = sum((p.market_value for p in positions.values()), Decimal(0)) * 2  # half cash
    active = total
    sells = plan_rebalance(positions, confidence, sectors, cfg, active, total, limit)
    sold = {s.symbol: s.quantity for s in sells}
    left = {s: p.quantity - sold.get(s, Decimal(0)) for s, p in positions.items()}
    assert all(q >= 0 for q in left.values())
    value = {s: left[s] * positions[s].last_price for s in positions}
    # position cap: within one share of the cap (sells round up, so strictly inside)
    assert all(v <= cfg.max_position_pct * active for v in value.values())
    for sector in ("Tech", "Energy"):
        members = [s for s in positions if sectors.sector(s) == sector]
        assert sum((value[s] for s in members), Decimal(0)) <= cfg.max_sector_pct * total
    assert sum(1 for q in left.values() if q > 0) <= limit
    # sector sells go to the lowest-confidence positions first: below any position cut for
    # its sector, every member was cut too or has nothing left
    reasons = {x.symbol: x.reason for x in sells}
    for sector in ("Tech", "Energy"):
        members = sorted(
            (s for s in positions if sectors.sector(s) == sector),
            key=lambda s: (confidence[s], s),
        )
        for i, symbol in enumerate(members):
            if "sector_cap" in reasons.get(symbol, ""):
                assert all("sector_cap" in reasons.get(m, "") or left[m] == 0 for m in members[:i])
