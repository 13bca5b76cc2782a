"""Seed properties of the reserve pool and circuit breakers: 6, 8, 13, 14 (and 7's exit half)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.risk import (
    AssetClass,
    PositionView,
    RiskEngine,
    RiskState,
    SignalView,
    StaticMarket,
    StaticPortfolio,
    TierName,
)
from tradebot.risk.breakers import (
    BreakerInputs,
    BreakerKind,
    BreakerState,
    BreakerTrip,
    DailyLossRule,
    SinglePositionLossRule,
    VolatilityRule,
    evaluate_breakers,
    expire_trips,
)
from tradebot.risk.events import Notice, NoticeKind
from tradebot.risk.performance import PerformanceState
from tradebot.risk.reserve import LedgerEntry, ReserveState, siphon_profit

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

NOW = datetime(2021, 3, 1, 15, tzinfo=UTC)
ENGINE = RiskEngine()
money = st.decimals(min_value=Decimal(0), max_value=Decimal(1_000_000), places=2)
pcts = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=3)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    steps=st.lists(st.decimals(Decimal(-5000), Decimal(5000), places=2), max_size=20),
    pct=pcts,
)
def test_property_06_siphon_moves_profit_share_and_chains_balances(
    steps: list[Decimal], pct: Decimal
) -> None:
    state = ReserveState()
    for i, profit in enumerate(steps):
        before = state.balance
        state, entry = siphon_profit(state, profit, pct, NOW + timedelta(minutes=i), f"f{i}")
        if profit > 0 and pct > 0:
            assert entry is not None
            assert entry.amount == profit * pct
            assert entry.balance_after == before + entry.amount == state.balance
        else:
            assert entry is None and state.balance == before
    assert state.balance == sum((p * pct for p in steps if p > 0), Decimal(0))
    assert state.total_deposits == state.balance and state.total_withdrawals == 0


def _crypto_position(symbol: str, avg: Decimal, last: Decimal) -> PositionView:
    return PositionView(symbol, Decimal(1), avg, last, NOW - timedelta(days=1), AssetClass.CRYPTO)


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(
    peak=st.decimals(Decimal(1000), Decimal(1_000_000), places=2),
    fall=st.decimals(Decimal(0), Decimal("0.9"), places=3),
    reserve=st.decimals(Decimal(0), Decimal(500), places=2),
    tier=st.sampled_from(list(TierName)),
)
def test_property_08_emergency_drawdown_releases_reserve_and_goes_conservative(
    peak: Decimal, fall: Decimal, reserve: Decimal, tier: TierName
) -> None:
    state = RiskState(
        tier=tier,
        reserve=ReserveState(balance=reserve, total_deposits=reserve),
        performance=PerformanceState(peak_equity=peak),
    )
    equity = peak * (1 - fall)
    review = ENGINE.review(StaticPortfolio(cash=equity, equity=equity), StaticMarket(), state, NOW)
    threshold = ENGINE.config.reserve.emergency_drawdown_pct
    notices = [e for e in review.events if isinstance(e, Notice)]
    if fall > threshold:
        assert review.state.reserve.balance == 0
        assert review.state.tier is TierName.CONSERVATIVE
        assert [n.kind for n in notices] == [NoticeKind.EMERGENCY_LIQUIDATION]
        ledger = [e for e in review.events if isinstance(e, LedgerEntry)]
        assert [e.amount for e in ledger] == ([-reserve] if reserve > 0 else [])
        # a second review in the same episode does not liquidate again
        again = ENGINE.review(
            StaticPortfolio(cash=equity, equity=equity), StaticMarket(), review.state, NOW
        )
        assert not [e for e in again.events if isinstance(e, Notice)]
    else:
        assert review.state.reserve.balance == reserve
        assert review.state.tier is tier
        assert not notices


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    start=st.decimals(Decimal(1000), Decimal(100_000), places=2),
    change=st.decimals(Decimal("-0.5"), Decimal("0.5"), places=3),
    losses=st.lists(st.decimals(Decimal("-0.3"), Decimal("0.3"), places=3), max_size=6),
    hits=st.lists(st.integers(0, 90), max_size=6),
)
def test_property_13_breaker_activation(
    start: Decimal, change: Decimal, losses: list[Decimal], hits: list[int]
) -> None:
    positions = {
        f"S{i}": _crypto_position(f"S{i}", Decimal(100), Decimal(100) * (1 + r))
        for i, r in enumerate(losses)
    }
    stop_hits = tuple(NOW - timedelta(minutes=m) for m in hits)
    inputs = BreakerInputs(NOW, start * (1 + change), start, positions, stop_hits)
    rules = (
        DailyLossRule(Decimal("0.05"), timedelta(days=1)),
        SinglePositionLossRule(Decimal("0.08"), timedelta(days=1)),
        VolatilityRule(3, timedelta(minutes=30), timedelta(hours=1)),
    )
    state, trips = evaluate_breakers(BreakerState(), rules, inputs)
    kinds = {(t.kind, t.symbol) for t in trips}
    assert ((BreakerKind.DAILY_LOSS, None) in kinds) == (-change > Decimal("0.05"))
    for i, r in enumerate(losses):
        assert ((BreakerKind.SINGLE_POSITION, f"S{i}") in kinds) == (-r > Decimal("0.08"))
    recent = sum(1 for m in hits if m <= 30)
    assert ((BreakerKind.VOLATILITY, None) in kinds) == (recent >= 3)
    # tripping is idempotent while active
    _, again = evaluate_breakers(state, rules, inputs)
    assert again == []


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(
    kind=st.sampled_from([BreakerKind.DAILY_LOSS, BreakerKind.VOLATILITY, BreakerKind.MANUAL]),
    minutes=st.integers(-600, 600),
    direction=st.sampled_from([Direction.LONG, Direction.SHORT]),
)
def test_property_13_no_entry_while_a_breaker_is_active_but_exits_pass(
    kind: BreakerKind, minutes: int, direction: Direction
) -> None:
    expires = None if kind is BreakerKind.MANUAL else NOW + timedelta(minutes=minutes)
    trip = BreakerTrip(kind, NOW - timedelta(hours=2), expires, Decimal(0), Decimal(0))
    state = RiskState(breakers=BreakerState(trips=(trip,)))
    held = _crypto_position("BTC", Decimal(100), Decimal(101))
    portfolio = StaticPortfolio.of(Decimal(100_000), held)
    market = StaticMarket(atrs={"ETH": 2.0, "BTC": 2.0})
    symbol = "ETH" if direction is Direction.LONG else "BTC"
    signal = SignalView(
        "sig", symbol, NOW, direction, 0.9, Decimal(100), AssetClass.CRYPTO, Decimal("0.001")
    )
    outcome = ENGINE.decide(signal, portfolio, market, state, NOW)
    active = trip.active_at(NOW)
    if direction is Direction.SHORT:
        assert outcome.action is DecisionAction.ACT and outcome.side is OrderSide.SELL
    elif active:
        assert outcome.action is DecisionAction.SKIP
        assert outcome.skip_reason == "circuit breakers"
    else:
        assert outcome.action is DecisionAction.ACT


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(
    cooldown=st.integers(1, 10_000),
    elapsed=st.integers(0, 20_000),
    kind=st.sampled_from([BreakerKind.DAILY_LOSS, BreakerKind.SINGLE_POSITION]),
)
def test_property_14_cooldown_expiry(cooldown: int, elapsed: int, kind: BreakerKind) -> None:
    start = NOW
    trip = BreakerTrip(kind, start, start + timedelta(seconds=cooldown), Decimal(0), Decimal(0))
    now = start + timedelta(seconds=elapsed)
    state, resolved = expire_trips(BreakerState(trips=(trip,)), now)
    if elapsed > cooldown:
        assert resolved == [trip] and state.trips == ()
        assert not trip.active_at(now)
    else:
        assert resolved == [] and state.trips == (trip,)
        assert trip.active_at(now)
