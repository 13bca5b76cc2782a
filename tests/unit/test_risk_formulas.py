"""Hand-computed examples of the risk formulas: sizing, stops, heat, reserve, tiers, metrics."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.risk.config import DEFAULT_TIERS, MicroRules, SizingRules
from tradebot.risk.correlation import CorrelationCache, aligned_correlation, weighted_correlation
from tradebot.risk.heat import portfolio_heat, position_heat
from tradebot.risk.performance import TradeResult, sharpe_ratio, trade_stats
from tradebot.risk.rebalancer import rebalance_due
from tradebot.risk.reserve import ReserveState, drawdown, emergency_release, siphon_profit
from tradebot.risk.sizing import PositionSizer, SizingRequest, correlation_factor
from tradebot.risk.stops import (
    StopLevels,
    apply_trailing,
    crossing,
    initial_levels,
    reevaluate_atr,
    tighten,
)
from tradebot.risk.tiers import TierName, TierPolicy, TierSignals, evaluate_tier
from tradebot.risk.trace import SizeEffect
from tradebot.risk.views import PositionView, ReturnSeries

NOW = datetime(2021, 3, 2, 16, tzinfo=UTC)
MODERATE = DEFAULT_TIERS[TierName.MODERATE]  # min conf 0.50, max 10 %, 2×ATR, 2:1, 35 %, 10 %
SIZER = PositionSizer(SizingRules(), MicroRules())
D = Decimal


def _request(**changes: object) -> SizingRequest:
    base = SizingRequest(
        confidence=0.6,
        price=D(100),
        lot_size=D(1),
        active_pool=D(100_000),
        total_value=D(100_000),
        spendable_cash=D(100_000),
        stop_distance=D(4),
        current_heat=D(0),
        sector="Tech",
        sector_exposure={},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_sizing_worked_example_with_the_diversification_bonus() -> None:
    # 0.05 × 0.6 / 0.5 = 0.06; nothing held, so a new sector gets × 1.2 → 7.2 % → $7,200
    result = SIZER.size(_request(), MODERATE)
    assert not result.rejected
    assert result.quantity == 72 and result.dollars == D(7200)
    effects = {c.name: c.effect for c in result.checks}
    assert effects["diversification bonus"] is SizeEffect.SCALE
    heat = next(c for c in result.checks if c.name == "portfolio heat")
    assert heat.inputs["heat_added"] == D(288)  # 7,200 × 4 / 100


def test_sizing_near_earnings_halves_the_allocation() -> None:
    result = SIZER.size(_request(earnings_days=2), MODERATE)
    assert result.quantity == 36  # 7.2 % × 0.5 = 3.6 % → $3,600
    assert SIZER.size(_request(earnings_days=1), MODERATE).rejected
    assert SIZER.size(_request(earnings_days=4), MODERATE).quantity == 72


def test_sizing_correlation_reduction_is_linear_between_half_and_point_eight() -> None:
    rules = SizingRules()
    assert correlation_factor(0.5, rules) == 1
    assert correlation_factor(0.65, rules) == D("0.75")  # 1 − 0.5 × (0.15 / 0.30)
    assert correlation_factor(0.8, rules) == D("0.5")
    assert SIZER.size(_request(correlation=0.65), MODERATE).quantity == 54  # 7,200 × 0.75
    assert SIZER.size(_request(correlation=0.81), MODERATE).rejected


def test_sizing_sector_cap_and_cash_limit() -> None:
    # Tech already holds $30,000 of a $100,000 book; the cap is 35 % → $5,000 of room.
    # Tech is held and it is the only sector, so no bonus: 6 % → $6,000, cut to $5,000.
    capped = SIZER.size(_request(sector_exposure={"Tech": D(30_000)}), MODERATE)
    assert capped.quantity == 50
    sector = next(c for c in capped.checks if c.name == "sector cap")
    assert (sector.size_before, sector.size_after) == (D(6000), D(5000))
    # $3,060 spendable with the 2 % buffer buys at most $3,000
    assert SIZER.size(_request(spendable_cash=D(3060)), MODERATE).quantity == 30
    full = SIZER.size(_request(sector_exposure={"Tech": D(35_000)}), MODERATE)
    assert full.rejected and full.checks[-1].name == "sector cap"


def test_sizing_crypto_rounds_to_the_lot() -> None:
    result = SIZER.size(
        _request(price=D("30000"), lot_size=D("0.001"), stop_distance=D(600)), MODERATE
    )
    assert result.quantity == D("0.240")  # $7,200 / $30,000


def test_sizing_micro_cap_and_absolute_cap() -> None:
    micro = SIZER.size(_request(confidence=1.0, is_micro=True), MODERATE)
    assert micro.quantity == 30  # 3 % of the pool, below the 10 % tier cap
    big = SIZER.size(
        _request(active_pool=D(1_000_000), total_value=D(1_000_000), spendable_cash=D(10**7)),
        MODERATE,
    )
    assert big.dollars == D(25_000)  # 7.2 % would be $72,000


def test_sizing_heat_rejects_past_the_tier_max() -> None:
    # 10 % of $100,000 = $10,000 of heat allowed; $9,800 is already at risk, $288 more is not
    result = SIZER.size(_request(current_heat=D(9800)), MODERATE)
    assert result.rejected and result.checks[-1].name == "portfolio heat"


def _levels(**changes: object) -> StopLevels:
    base = StopLevels(
        symbol="AAA",
        entry_price=D(50),
        stop_loss=D("47.50"),
        take_profit=D("55.00"),
        atr=1.25,
        atr_multiplier=D(2),
        reward_risk=D(2),
        tick=D("0.01"),
        confidence=0.6,
        is_micro=False,
        opened_at=NOW,
        updated_at=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_initial_levels_example() -> None:
    assert initial_levels(D(50), D("1.25"), D(2), D(2), D("0.01")) == (D("47.50"), D("55.00"))
    # rounding keeps each level on its side: 50 − 0.333 = 49.667 → 49.66; TP 50.68
    assert initial_levels(D(50), D("0.333"), D(1), D(2), D("0.01")) == (D("49.66"), D("50.68"))
    assert initial_levels(D(5), D(3), D(2), D(2), D("0.01")) is None  # stop below zero


def test_trailing_moves_the_stop_to_breakeven_past_half_way() -> None:
    same, note = apply_trailing(_levels(), D("52.50"), D("0.5"), NOW)  # exactly half: no
    assert same.stop_loss == D("47.50") and note is None
    moved, note = apply_trailing(_levels(), D("52.51"), D("0.5"), NOW)
    assert moved.stop_loss == D(50) and moved.trailing_active
    assert note is not None and note.reason == "trailing_breakeven"


def test_tightening_and_atr_reevaluation_examples() -> None:
    tight, note = tighten(_levels(), D(52), D("0.5"), "event", NOW)
    assert tight.stop_loss == D("50.75")  # 52 − 1.25 × 2 × 0.5
    loose, note = tighten(_levels(stop_loss=D(51)), D(52), D("0.5"), "event", NOW)
    assert loose.stop_loss == D(51) and note is None  # never lowers a stop
    wider, _ = reevaluate_atr(_levels(), 1.40, 0.10, NOW)  # +12 %
    assert (wider.stop_loss, wider.take_profit) == (D("47.20"), D("55.60"))
    same, note = reevaluate_atr(_levels(), 1.35, 0.10, NOW)  # +8 %
    assert same == _levels() and note is None


def test_crossing_examples() -> None:
    levels = _levels()
    assert crossing(levels, D("47.50")).value == "stop_loss"  # type: ignore[union-attr]
    assert crossing(levels, D("55.00")).value == "take_profit"  # type: ignore[union-attr]
    assert crossing(levels, D(50)) is None


def test_heat_example() -> None:
    # $10,000 at entry 50 with the stop at 47.50 risks 5 % of it
    assert position_heat(D(10_000), D(50), D("47.50")) == D(500)
    assert position_heat(D(10_000), D(50), D(50)) == 0  # trailed to breakeven
    levels = {"AAA": _levels(), "BBB": _levels(symbol="BBB", stop_loss=D(45))}
    assert portfolio_heat(levels, {"AAA": D(10_000), "BBB": D(5_000)}) == D(1000)


def test_reserve_examples() -> None:
    state, entry = siphon_profit(ReserveState(), D(1000), D("0.2"), NOW, "f1")
    assert entry is not None and (entry.amount, state.balance) == (D(200), D(200))
    state, entry = siphon_profit(state, D(-50), D("0.2"), NOW, "f2")
    assert entry is None and state.balance == D(200)
    state, entry = emergency_release(state, NOW)
    assert entry is not None and entry.amount == D(-200) and state.balance == 0
    assert state.total_deposits == D(200) and state.total_withdrawals == D(200)
    assert drawdown(D(1000), D(750)) == D("0.25")


@pytest.mark.parametrize(
    ("tier", "signals", "expected"),
    [
        (TierName.MODERATE, TierSignals(0.39, 0.0, 0.5), TierName.CONSERVATIVE),
        (TierName.MODERATE, TierSignals(0.60, 0.16, 0.5), TierName.CONSERVATIVE),
        (TierName.MODERATE, TierSignals(0.56, 0.04, 0.21), TierName.AGGRESSIVE),
        (TierName.MODERATE, TierSignals(0.56, 0.04, 0.20), None),  # reserve not > 20 %
        (TierName.MODERATE, TierSignals(None, 0.0, 0.5), None),  # no trades yet
        (TierName.CONSERVATIVE, TierSignals(0.10, 0.5, 0.0), None),  # floor
        (TierName.AGGRESSIVE, TierSignals(0.90, 0.0, 0.9), None),  # ceiling
    ],
)
def test_tier_controller_examples(
    tier: TierName, signals: TierSignals, expected: TierName | None
) -> None:
    change = evaluate_tier(tier, signals, TierPolicy(), NOW)
    assert (change.new if change else None) is expected


def test_metrics_examples() -> None:
    trades = [TradeResult("A", D(p), NOW) for p in (100, -50, 0, 25)]
    stats = trade_stats(trades)
    assert stats.win_rate == 0.5 and stats.profit_factor == 2.5
    assert stats.avg_win == D("62.5") and stats.avg_loss == D(-50)
    returns = [0.01, -0.005, 0.02]
    mean = 0.025 / 3
    std = math.sqrt(sum((r - mean) ** 2 for r in returns) / 2)
    assert sharpe_ratio(returns) == pytest.approx(mean / std * math.sqrt(252))
    assert sharpe_ratio([0.01] * 30) is None


def test_rebalance_is_due_once_a_week_from_monday() -> None:
    monday = datetime(2021, 3, 1, 15, tzinfo=UTC)
    assert rebalance_due(None, monday, 0)
    assert not rebalance_due(monday.date(), monday + timedelta(days=2), 0)
    assert rebalance_due(monday.date(), monday + timedelta(days=7), 0)
    assert not rebalance_due(None, monday + timedelta(days=1), 2)  # Tuesday, due Wednesday


def test_declining_uses_average_cost() -> None:
    pos = PositionView("A", D(1), D(100), D("97.9"), NOW)
    assert pos.unrealised_pct == D("-0.021")


def test_correlation_aligns_on_shared_dates_and_the_cache_follows_its_inputs() -> None:
    days = tuple(datetime(2021, 1, 1, tzinfo=UTC).date() + timedelta(days=i) for i in range(30))
    up = tuple(0.01 * ((i * 7) % 5 - 2) for i in range(30))
    down = tuple(-x for x in up)
    a, b = ReturnSeries(days, up), ReturnSeries(days, down)
    assert aligned_correlation(a, a, 90, 20) == pytest.approx(1.0)
    assert aligned_correlation(a, b, 90, 20) == pytest.approx(-1.0)
    shifted = ReturnSeries(days[5:], up[5:])  # 25 shared dates, same values on them
    assert aligned_correlation(a, shifted, 90, 20) == pytest.approx(1.0)
    assert aligned_correlation(a, shifted, 90, 26) is None  # too little overlap
    cache = CorrelationCache(90, 20)
    assert cache.correlation("A", a, "B", a) == pytest.approx(1.0)
    # same symbols, dates and lengths, different values: recomputed, not served stale
    assert cache.correlation("A", a, "B", b) == pytest.approx(-1.0)
    assert cache.correlation("B", b, "A", a) == pytest.approx(-1.0) and len(cache) == 1
    assert weighted_correlation({"X": D(300), "Y": D(100)}, {"X": 0.8, "Y": None}) == 0.6
