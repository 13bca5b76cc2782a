"""Seed properties of the composed engine: 7 (exits), 27, 28, 29, 31, 32 and 34."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.domain.messages import TradingDecision
from tradebot.risk import (
    AssetClass,
    ExitReason,
    PositionView,
    ReturnSeries,
    RiskConfig,
    RiskEngine,
    RiskState,
    SignalView,
    StaticMarket,
    StaticPortfolio,
    TierName,
    exchange_sessions,
)
from tradebot.risk.breakers import BreakerKind, BreakerState, BreakerTrip
from tradebot.risk.config import MicroRules
from tradebot.risk.earnings import EarningsCalendar
from tradebot.risk.gradual_entry import TranchePlan
from tradebot.risk.micro import MicroState
from tradebot.risk.performance import PerformanceState, TradeResult
from tradebot.risk.reserve import ReserveState
from tradebot.risk.sectors import SectorTable
from tradebot.risk.state import PendingEntry
from tradebot.risk.stops import StopLevels
from tradebot.risk.tax_lots import ClosedLot, TaxLot, TaxLotBook

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

CALENDAR = exchange_sessions(date(2021, 1, 1), date(2021, 12, 31))
NOW = datetime(2021, 3, 2, 16, tzinfo=UTC)  # Tuesday 11:00 New York
SYMBOLS = ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
SECTORS = SectorTable({"AAA": "Tech", "BBB": "Tech", "CCC": "Energy", "DDD": "Health"})
MICRO_ON = RiskConfig(micro=MicroRules(enabled=True))
ORDER = [
    "direction",
    "no open order",
    "circuit breakers",
    "ticker cooldown",
    "trading window",
    "not already in",
    "micro-trading",
    "max open positions",
    "declining positions",
    "stop levels",
    "active pool minimum",
    "confidence gate",
    "earnings proximity",
    "correlation",
    "diversification bonus",
    "allocation",
    "absolute cap",
    "sector cap",
    "cash",
    "quantity",
    "portfolio heat",
    "gradual entry",
]

utc_times = st.datetimes(
    min_value=datetime(2021, 1, 4), max_value=datetime(2021, 12, 30), timezones=st.just(UTC)
)
money = st.decimals(Decimal(0), Decimal(500_000), places=2) | st.just(Decimal(250_000))
prices = st.decimals(Decimal(1), Decimal(1000), places=2)


@st.composite
def scenarios(
    draw: st.DrawFn, micro: bool | None = None
) -> tuple[SignalView, StaticPortfolio, StaticMarket, RiskState, datetime]:
    now = draw(st.just(NOW) | utc_times)
    crypto = draw(st.booleans())
    kind = AssetClass.CRYPTO if crypto else AssetClass.EQUITY
    lot = Decimal("0.001") if crypto else Decimal(1)
    held_symbols = draw(st.lists(st.sampled_from(SYMBOLS[1:]), unique=True, max_size=5))
    positions = [
        PositionView(
            s,
            Decimal(draw(st.integers(1, 200))),
            p := draw(prices),
            p * draw(st.decimals(Decimal("0.96"), Decimal("1.15"), places=3)),
            now - timedelta(hours=draw(st.integers(1, 100))),
            kind,
        )
        for s in held_symbols
    ]
    portfolio = StaticPortfolio.of(draw(money), *positions)
    days = tuple(date(2020, 1, 1) + timedelta(days=i) for i in range(60))
    returns = {
        s: ReturnSeries(days, tuple(draw(st.floats(-0.05, 0.05)) for _ in days))
        for s in draw(st.lists(st.sampled_from(SYMBOLS), unique=True, max_size=4))
    }
    market = StaticMarket(
        atrs={s: draw(st.floats(0.01, 20.0)) for s in SYMBOLS if s != "FFF"},
        returns=returns,
        event=draw(st.booleans()),
    )
    trips: tuple[BreakerTrip, ...] = ()
    if draw(st.sampled_from([False] * 9 + [True])):
        trips = (
            BreakerTrip(
                BreakerKind.DAILY_LOSS, now, now + timedelta(hours=1), Decimal(0), Decimal(0)
            ),
        )
    state = RiskState(
        tier=draw(st.sampled_from(list(TierName))),
        reserve=ReserveState(balance=draw(st.decimals(Decimal(0), Decimal(5000), places=2))),
        breakers=BreakerState(trips=trips),
    )
    signal = SignalView(
        id=draw(st.text("abcdef0123", min_size=1, max_size=6)),
        symbol=draw(st.sampled_from(SYMBOLS)),
        ts=now,
        direction=draw(
            st.sampled_from([Direction.LONG] * 4 + [Direction.SHORT, Direction.NEUTRAL])
        ),
        confidence=draw(st.floats(0.0, 1.0) | st.floats(0.6, 1.0)),
        price=draw(prices),
        asset_class=kind,
        lot_size=lot,
        is_micro=draw(st.booleans()) if micro is None else micro,
    )
    return signal, portfolio, market, state, now


def _engine(config: RiskConfig | None = None) -> RiskEngine:
    earnings = EarningsCalendar({"AAA": (date(2021, 3, 4), date(2021, 6, 3))})
    return RiskEngine(config or MICRO_ON, sectors=SECTORS, earnings=earnings, calendar=CALENDAR)


ENGINE = _engine()


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(case=scenarios())
def test_property_27_a_signal_is_decided_once(
    case: tuple[SignalView, StaticPortfolio, StaticMarket, RiskState, datetime],
) -> None:
    signal, portfolio, market, state, now = case
    first = ENGINE.decide(signal, portfolio, market, state, now)
    again = ENGINE.decide(signal, portfolio, market, first.state, now + timedelta(minutes=5))
    assert not first.duplicate
    assert again.duplicate and again.action is DecisionAction.SKIP
    assert again.checks == () and again.quantity == 0
    assert again.state == first.state  # a no-op: nothing recorded, nothing planned
    later = ENGINE.decide(signal, portfolio, market, first.state, now + timedelta(hours=25))
    assert not later.duplicate  # forgotten after the 24 h TTL


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(case=scenarios())
def test_property_28_decision_record_is_complete_and_traceable(
    case: tuple[SignalView, StaticPortfolio, StaticMarket, RiskState, datetime],
) -> None:
    signal, portfolio, market, state, now = case
    outcome = ENGINE.decide(signal, portfolio, market, state, now, decision_id="dec-x")
    event(f"{outcome.action}: {outcome.skip_reason}")
    names = [c.name for c in outcome.checks]
    assert names, "every decided signal has a trace"
    assert outcome.active_pool == portfolio.equity - state.reserve.balance  # on skips too
    assert outcome.reserve_pool == state.reserve.balance and outcome.tier is state.tier
    assert names == sorted(names, key=ORDER.index)  # the documented order
    failed = [c for c in outcome.checks if not c.passed]
    if outcome.acted:
        assert not failed and outcome.skip_reason is None
        assert outcome.quantity > 0 and outcome.side is not None
        if outcome.side is OrderSide.BUY:
            assert outcome.stop_loss is not None and outcome.take_profit is not None
            assert outcome.stop_loss < signal.price < outcome.take_profit
            assert outcome.quantity % signal.lot_size == 0
            assert "dec-x" in (
                outcome.tranche_plan.parent_decision_id if outcome.tranche_plan else "dec-x"
            )
            assert outcome.state.pending[signal.symbol].decision_id == "dec-x"
    else:
        assert len(failed) == 1 and failed[0] is outcome.checks[-1]
        assert outcome.skip_reason == failed[0].name
    decision = outcome.to_decision(signal)
    assert isinstance(decision, TradingDecision)
    assert decision.id == "dec-x" and decision.signal_id == signal.id and decision.reason
    for step in decision.trace:
        assert step.detail and "size_effect" in step.inputs
    json.dumps(TypeAdapter(TradingDecision).dump_python(decision, mode="json"))  # plain JSON


decimals = st.decimals(Decimal(-10_000), Decimal(10_000), places=4)
aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
symbols = st.sampled_from(SYMBOLS)
finite = st.floats(-1e6, 1e6, allow_nan=False)


def stop_levels(symbol: str) -> st.SearchStrategy[StopLevels]:
    return st.builds(
        StopLevels,
        symbol=st.just(symbol),
        entry_price=decimals,
        stop_loss=decimals,
        take_profit=decimals,
        atr=finite,
        atr_multiplier=decimals,
        reward_risk=decimals,
        tick=decimals,
        confidence=st.floats(0, 1),
        is_micro=st.booleans(),
        opened_at=aware,
        updated_at=aware,
        trailing_active=st.booleans(),
    )


def keyed(make: object) -> st.SearchStrategy[dict[str, object]]:
    return st.lists(symbols, unique=True, max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries({k: make(k) for k in keys})  # type: ignore[operator]
    )


states = st.builds(
    RiskState,
    tier=st.sampled_from(list(TierName)),
    reserve=st.builds(ReserveState, decimals, decimals, decimals),
    breakers=st.builds(
        BreakerState,
        trips=st.lists(
            st.builds(
                BreakerTrip,
                st.sampled_from(list(BreakerKind)),
                aware,
                st.none() | aware,
                decimals,
                decimals,
                st.none() | symbols,
                st.text(max_size=10),
            ),
            max_size=3,
        ).map(tuple),
        stop_hits=st.lists(aware, max_size=3).map(tuple),
        day=st.none() | st.dates(),
        day_start_equity=st.none() | decimals,
        last_equity=st.none() | decimals,
    ),
    stops=keyed(stop_levels),
    pending=keyed(
        lambda s: st.builds(
            PendingEntry,
            st.text(max_size=8),
            aware,
            st.floats(0, 1),
            st.booleans(),
            finite,
            decimals,
            decimals,
            decimals,
        )
    ),
    tranches=keyed(
        lambda s: st.builds(
            TranchePlan,
            st.text(max_size=8),
            st.just(s),
            st.lists(decimals, max_size=3).map(tuple),
            decimals,
            decimals,
            st.integers(0, 3),
            aware,
            st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3)),
        )
    ),
    micro=st.builds(MicroState, st.none() | st.dates(), st.integers(0, 20)),
    seen=st.dictionaries(st.text(max_size=6), aware, max_size=3),
    lots=st.builds(
        TaxLotBook,
        st.lists(
            st.builds(TaxLot, st.text(max_size=5), symbols, decimals, decimals, aware), max_size=3
        ).map(tuple),
        st.lists(
            st.builds(
                ClosedLot,
                st.text(max_size=5),
                symbols,
                decimals,
                decimals,
                aware,
                aware,
                decimals,
                decimals,
                st.booleans(),
                st.text(max_size=10),
            ),
            max_size=2,
        ).map(tuple),
    ),
    performance=st.builds(
        PerformanceState,
        decimals,
        st.lists(st.tuples(st.dates(), decimals), max_size=3).map(tuple),
        st.lists(st.builds(TradeResult, symbols, decimals, aware, st.booleans()), max_size=3).map(
            tuple
        ),
    ),
    last_rebalance=st.none() | st.dates(),
    emergency_since=st.none() | aware,
)


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(state=states)
def test_property_29_state_round_trips_through_plain_json(state: RiskState) -> None:
    plain = state.to_dict()
    text = json.dumps(plain)
    assert RiskState.from_dict(json.loads(text)) == state
    assert RiskState.from_dict(plain).to_dict() == plain


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(case=scenarios(micro=True))
def test_property_31_micro_trade_caps_and_stops(
    case: tuple[SignalView, StaticPortfolio, StaticMarket, RiskState, datetime],
) -> None:
    signal, portfolio, market, state, now = case
    outcome = ENGINE.decide(signal, portfolio, market, state, now)
    if not outcome.acted or outcome.side is not OrderSide.BUY:
        return
    rules = MICRO_ON.micro
    total_qty = sum(outcome.tranche_plan.quantities) if outcome.tranche_plan else outcome.quantity
    assert total_qty * signal.price <= rules.allocation_cap_pct * outcome.active_pool
    atr = Decimal(repr(market.atrs[signal.symbol]))
    mult = rules.stop_loss_atr_multiplier
    tightened = next(c for c in outcome.checks if c.name == "stop levels").inputs["tightened_for"]
    if not tightened:
        stop = ((signal.price - atr * mult) / signal.tick_size).to_integral_value(ROUND_FLOOR)
        assert outcome.stop_loss == stop * signal.tick_size
        tp = signal.price + (signal.price - outcome.stop_loss) * rules.reward_risk_ratio
        assert (
            outcome.take_profit
            == (tp / signal.tick_size).to_integral_value(ROUND_CEILING) * signal.tick_size
        )


@settings(max_examples=100, deadline=None, suppress_health_check=LOADED)
@given(count=st.integers(1, 25), cap=st.integers(0, 12))
def test_property_31_daily_micro_count_never_exceeds_the_maximum(count: int, cap: int) -> None:
    engine = _engine(RiskConfig(micro=MicroRules(enabled=True, max_daily=cap)))
    state = engine.initial_state()
    acted = 0
    for i in range(count):
        signal = SignalView(
            f"s{i}",
            "ZZZ",
            NOW,
            Direction.LONG,
            0.9,
            Decimal(10),
            AssetClass.CRYPTO,
            Decimal("0.001"),
            is_micro=True,
        )
        outcome = engine.decide(
            signal,
            StaticPortfolio.of(Decimal(100_000)),
            StaticMarket(atrs={"ZZZ": 0.2}),
            state,
            NOW,
        )
        state = engine.cancel_entry(outcome.state, "ZZZ")  # as if the order was cancelled
        acted += outcome.acted
    assert acted == min(count, cap)
    assert state.micro.count_on(NOW.date()) == acted


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(held_minutes=st.integers(0, 600), micro=st.booleans())
def test_property_32_micro_positions_close_after_max_hold(held_minutes: int, micro: bool) -> None:
    opened = NOW - timedelta(minutes=held_minutes)
    levels = StopLevels(
        "BTC",
        Decimal(100),
        Decimal(90),
        Decimal(120),
        5.0,
        Decimal(1),
        Decimal("1.5"),
        Decimal("0.01"),
        0.7,
        micro,
        opened,
        opened,
    )
    state = RiskState(stops={"BTC": levels})
    position = PositionView(
        "BTC", Decimal(1), Decimal(100), Decimal(101), opened, AssetClass.CRYPTO
    )
    review = ENGINE.review(StaticPortfolio.of(Decimal(1000), position), StaticMarket(), state, NOW)
    expired = micro and held_minutes > 120
    assert [e.reason for e in review.exits] == ([ExitReason.MICRO_MAX_HOLD] if expired else [])


VIOLATIONS = ["breaker", "window", "heat", "correlation", "sector", "earnings"]


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(violation=st.sampled_from(VIOLATIONS), micro=st.booleans())
def test_property_34_micro_trades_respect_every_constraint(violation: str, micro: bool) -> None:
    now = NOW
    state = RiskState()
    positions: list[PositionView] = []
    days = tuple(date(2020, 1, 1) + timedelta(days=i) for i in range(60))
    moves = tuple((-1) ** i * 0.01 * (i % 7) for i in range(60))
    returns: dict[str, ReturnSeries] = {}
    symbol = "CCC"
    if violation == "breaker":
        trip = BreakerTrip(
            BreakerKind.VOLATILITY, now, now + timedelta(hours=1), Decimal(3), Decimal(3)
        )
        state = RiskState(breakers=BreakerState(trips=(trip,)))
    elif violation == "window":
        now = datetime(2021, 3, 2, 14, 40, tzinfo=UTC)  # 9:40 New York
    elif violation == "heat":
        positions = [PositionView("DDD", Decimal(1000), Decimal(100), Decimal(100), now)]
        wide = StopLevels(
            "DDD",
            Decimal(100),
            Decimal(1),
            Decimal(300),
            30.0,
            Decimal(3),
            Decimal(2),
            Decimal("0.01"),
            0.9,
            False,
            now,
            now,
        )
        state = RiskState(stops={"DDD": wide})
    elif violation == "correlation":
        positions = [PositionView("DDD", Decimal(10), Decimal(100), Decimal(100), now)]
        returns = {"DDD": ReturnSeries(days, moves), "CCC": ReturnSeries(days, moves)}
    elif violation == "sector":
        positions = [PositionView("BBB", Decimal(600), Decimal(100), Decimal(100), now)]
        symbol = "AAA"  # Tech, like BBB, which already fills the sector
    elif violation == "earnings":
        symbol = "AAA"  # earnings on 2021-03-04: the next session after 2021-03-03
        now = datetime(2021, 3, 3, 16, tzinfo=UTC)
    portfolio = StaticPortfolio.of(Decimal(100_000), *positions)
    market = StaticMarket(atrs={"AAA": 1.0, "CCC": 1.0}, returns=returns)
    signal = SignalView("sig", symbol, now, Direction.LONG, 0.95, Decimal(50), is_micro=micro)
    outcome = ENGINE.decide(signal, portfolio, market, state, now)
    expected = {
        "breaker": "circuit breakers",
        "window": "trading window",
        "heat": "portfolio heat",
        "correlation": "correlation",
        "sector": "sector cap",
        "earnings": "earnings proximity",
    }[violation]
    assert outcome.action is DecisionAction.SKIP
    assert outcome.skip_reason == expected
    # the same signal without the violation goes through (so the rule, not chance, blocked it)
    clean = ENGINE.decide(
        SignalView("ok", "EEE", NOW, Direction.LONG, 0.95, Decimal(50), is_micro=micro),
        StaticPortfolio.of(Decimal(100_000)),
        StaticMarket(atrs={"EEE": 1.0}),
        RiskState(),
        NOW,
    )
    assert clean.acted


@settings(max_examples=200, deadline=None, suppress_health_check=LOADED)
@given(pool=st.decimals(Decimal(0), Decimal(99), places=2))
def test_property_07_exits_pass_below_the_active_pool_minimum(pool: Decimal) -> None:
    held = PositionView("BTC", Decimal(2), Decimal(50), Decimal("49.5"), NOW, AssetClass.CRYPTO)
    portfolio = StaticPortfolio.of(pool, held)
    state = RiskState(reserve=ReserveState(balance=portfolio.equity))  # active pool = 0
    exit_signal = SignalView("x", "BTC", NOW, Direction.SHORT, 0.1, Decimal(40), AssetClass.CRYPTO)
    entry_signal = SignalView("y", "ETH", NOW, Direction.LONG, 0.99, Decimal(40), AssetClass.CRYPTO)
    out = ENGINE.decide(exit_signal, portfolio, StaticMarket(), state, NOW)
    assert out.acted and out.side is OrderSide.SELL and out.quantity == 2
    blocked = ENGINE.decide(entry_signal, portfolio, StaticMarket(atrs={"ETH": 1.0}), state, NOW)
    assert blocked.skip_reason == "active pool minimum"
    stop = StopLevels(
        "BTC",
        Decimal(50),
        Decimal("49.6"),
        Decimal(60),
        2.0,
        Decimal(2),
        Decimal(2),
        Decimal("0.01"),
        0.5,
        False,
        NOW,
        NOW,
    )
    review = ENGINE.review(
        portfolio, StaticMarket(), RiskState(stops={"BTC": stop}, reserve=state.reserve), NOW
    )
    assert [e.reason for e in review.exits] == [ExitReason.STOP_LOSS]
