"""Seed properties of the trading window and gradual entry: 20 and 21."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import exchange_calendars as xcals
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.domain.enums import DecisionAction, Direction
from tradebot.risk import (
    AssetClass,
    RiskConfig,
    RiskEngine,
    SignalView,
    StaticMarket,
    StaticPortfolio,
    exchange_sessions,
)
from tradebot.risk.config import GradualEntryRules, WindowRules
from tradebot.risk.gradual_entry import (
    TrancheConditions,
    TranchePlan,
    TrancheVerdict,
    reevaluate_tranche,
    split_quantity,
)
from tradebot.risk.trading_window import TradingWindow

# Other suites share this machine: slow generation under load is not a failure.
LOADED = [HealthCheck.too_slow]

NY = ZoneInfo("America/New_York")
FIRST, LAST = date(2019, 1, 1), date(2021, 12, 31)
CALENDAR = exchange_sessions(FIRST, LAST)
with warnings.catch_warnings():  # the library trips a pandas deprecation inside
    warnings.simplefilter("ignore")
    XNYS = xcals.get_calendar("XNYS", start="2018-12-01", end="2022-01-31")
WINDOW = TradingWindow(CALENDAR, WindowRules())

instants = st.datetimes(
    min_value=datetime(2019, 1, 2), max_value=datetime(2021, 12, 30), timezones=st.just(UTC)
)


def _oracle(ts: datetime) -> bool:
    """9:45 to 15:45 New York time on sessions; on early closes, 15 min before the close."""
    local = ts.astimezone(NY)
    day = local.date()
    if not XNYS.is_session(day.isoformat()):
        return False
    close = XNYS.session_close(day.isoformat()).to_pydatetime().astimezone(NY)
    end = time(15, 45) if close.time() == time(16, 0) else (close - timedelta(minutes=15)).time()
    return time(9, 45) <= local.time() < end


@settings(max_examples=1000, deadline=None, suppress_health_check=LOADED)
@given(ts=instants)
def test_property_20_trading_window_is_945_to_1545_new_york(ts: datetime) -> None:
    assert WINDOW.allows_entry(ts, AssetClass.EQUITY) is _oracle(ts)
    assert WINDOW.allows_entry(ts, AssetClass.CRYPTO)  # 24/7


@settings(max_examples=300, deadline=None, suppress_health_check=LOADED)
@given(ts=instants)
def test_property_20_next_window_open_is_inside_the_window(ts: datetime) -> None:
    opens = WINDOW.next_window_open(ts)
    assert opens is not None and opens >= ts
    assert WINDOW.allows_entry(opens, AssetClass.EQUITY)
    if not WINDOW.allows_entry(ts, AssetClass.EQUITY):
        assert not WINDOW.allows_entry(opens - timedelta(minutes=1), AssetClass.EQUITY)


@settings(max_examples=400, deadline=None, suppress_health_check=LOADED)
@given(
    units=st.integers(0, 10_000),
    parts=st.integers(2, 6),
    lot=st.sampled_from([Decimal(1), Decimal("0.01"), Decimal("0.0001")]),
)
def test_property_21_tranches_are_near_equal_and_sum_to_the_order(
    units: int, parts: int, lot: Decimal
) -> None:
    quantity = units * lot
    tranches = split_quantity(quantity, parts, lot)
    assert sum(tranches, Decimal(0)) == quantity
    assert len(tranches) == min(parts, units)
    if tranches:
        assert max(tranches) - min(tranches) <= lot
        assert all(t > 0 and t % lot == 0 for t in tranches)


@settings(max_examples=150, deadline=None, suppress_health_check=LOADED)
@given(
    confidence=st.floats(0.55, 1.0),
    price=st.decimals(Decimal(5), Decimal(500), places=2),
    cash=st.decimals(Decimal(10_000), Decimal(1_000_000), places=2),
)
def test_property_21_large_entries_become_one_parent_with_tranches(
    confidence: float, price: Decimal, cash: Decimal
) -> None:
    engine = RiskEngine(RiskConfig(), calendar=CALENDAR)
    now = datetime(2021, 3, 2, 16, tzinfo=UTC)  # 11:00 New York
    signal = SignalView("sig-1", "AAA", now, Direction.LONG, confidence, price)
    outcome = engine.decide(
        signal,
        StaticPortfolio.of(cash),
        StaticMarket(atrs={"AAA": float(price) * 0.02}),
        engine.initial_state(),
        now,
        decision_id="dec-1",
    )
    assert outcome.action is DecisionAction.ACT
    plan = outcome.tranche_plan
    threshold = min(Decimal(30), Decimal("0.05") * outcome.active_pool)
    total = plan.quantities if plan else (outcome.quantity,)
    if sum(total, Decimal(0)) * price > threshold and len(total) > 1:
        assert plan is not None
        assert plan.parent_decision_id == "dec-1"
        assert outcome.quantity == plan.quantities[0]
        assert {plan.tranche_id(i).rsplit("-t", 1)[0] for i in range(len(total))} == {"dec-1"}
        assert max(plan.quantities) - min(plan.quantities) <= 1
    else:
        assert plan is None


@pytest.mark.parametrize(
    ("price", "breaker", "window", "due", "expected"),
    [
        (Decimal(100), False, True, True, TrancheVerdict.SEND),
        (Decimal(100), True, True, True, TrancheVerdict.CANCEL),
        (Decimal(95), False, True, True, TrancheVerdict.CANCEL),  # at the stop
        (Decimal("97.9"), False, True, True, TrancheVerdict.CANCEL),  # > 2 % below
        (Decimal(98), False, True, True, TrancheVerdict.SEND),  # exactly 2 % is allowed
        (Decimal(100), False, False, True, TrancheVerdict.WAIT),
        (Decimal(100), False, True, False, TrancheVerdict.WAIT),
    ],
)
def test_tranche_reevaluation(
    price: Decimal, breaker: bool, window: bool, due: bool, expected: TrancheVerdict
) -> None:
    now = datetime(2021, 3, 2, 16, tzinfo=UTC)
    plan = TranchePlan(
        "dec-1",
        "AAA",
        (Decimal(4), Decimal(3), Decimal(3)),
        Decimal(100),
        Decimal(95),
        1,
        now if due else now + timedelta(minutes=1),
        timedelta(minutes=5),
    )
    verdict = reevaluate_tranche(
        plan, TrancheConditions(price, breaker, window), now, GradualEntryRules()
    )
    assert verdict.verdict is expected
