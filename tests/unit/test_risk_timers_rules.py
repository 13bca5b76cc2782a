"""When the timed duties fall due (``risk.duty_times``), against the rules they serve: a
stale-price timer fires at the first instant the exit path's rule says "stale", a micro
timer at the first instant the max-hold rule holds, the rebalance at the first window
opening on which it is due, the summary at 16:30 New York of the next session day, the
day's close at the close of the first session not closed; and the stage's keyed timers
move, cancel and place overdue duties as documented."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.test_risk_timers_support import CALENDAR, NY, ny
from tradebot.domain.timer import TimerEvent
from tradebot.engine.clock import SimClock
from tradebot.engine.risk_duties import Duty, DutyTimers, duty_key, kinds_due
from tradebot.risk import (
    ExitReason,
    PositionView,
    RiskConfig,
    RiskEngine,
    StaticMarket,
    StaticPortfolio,
)
from tradebot.risk.calendar import local_day
from tradebot.risk.config import MicroRules, WindowRules
from tradebot.risk.duty_times import (
    TICK,
    day_ends,
    micro_close_at,
    rebalance_at,
    session_close_at,
    stale_check_at,
    summary_at,
)
from tradebot.risk.micro import micro_hold_expired
from tradebot.risk.rebalancer import rebalance_due
from tradebot.risk.stops import StopLevels
from tradebot.risk.trading_window import TradingWindow
from tradebot.risk.views import AssetClass

FIRST, LAST = date(2021, 1, 4), date(2021, 5, 28)  # well inside the calendar's range
WINDOW = TradingWindow(CALENDAR, WindowRules())
ENGINE = RiskEngine(RiskConfig(), calendar=CALENDAR)
LIMIT = RiskConfig().stops.stale_after

instants = st.builds(
    lambda day, minute: (
        datetime.combine(day, time(0), tzinfo=NY).astimezone(UTC) + timedelta(minutes=minute)
    ),
    st.dates(FIRST, LAST),
    st.integers(0, 24 * 60 - 1),
)
days = st.one_of(st.none(), st.dates(FIRST - timedelta(days=14), LAST))


def _stale_exits(seen: datetime, now: datetime) -> list[ExitReason]:
    held = PositionView("KO", Decimal(10), Decimal(50), Decimal(50), seen - timedelta(days=1))
    market = StaticMarket(price_times={"KO": seen})
    portfolio = StaticPortfolio.of(Decimal(10_000), held)
    review = ENGINE.review(portfolio, market, ENGINE.initial_state(), now)
    return [e.reason for e in review.exits]


@settings(max_examples=150, deadline=None)
@given(instants)
def test_a_stale_timer_fires_at_the_first_instant_the_rule_holds(seen: datetime) -> None:
    at = stale_check_at(seen, LIMIT, WINDOW, AssetClass.EQUITY)
    if at is None:  # the limit runs out while the market is shut: nothing is stale there
        assert not WINDOW.market_open(seen + LIMIT + TICK, AssetClass.EQUITY)
        return
    assert _stale_exits(seen, at) == [ExitReason.STALE_PRICE]
    assert _stale_exits(seen, at - TICK) == []


def test_crypto_is_stale_at_any_hour() -> None:
    sunday = datetime(2021, 3, 7, 3, tzinfo=UTC)
    assert stale_check_at(sunday, LIMIT, WINDOW, AssetClass.CRYPTO) == sunday + LIMIT + TICK


@given(instants, st.integers(1, 600))
def test_a_micro_timer_fires_at_the_first_instant_the_hold_is_too_long(
    opened: datetime, hold_minutes: int
) -> None:
    rules = MicroRules(enabled=True, max_hold=timedelta(minutes=hold_minutes))
    levels = StopLevels(
        "KO", Decimal(100), Decimal(98), Decimal(103), 2.0, Decimal(1), Decimal("1.5"),
        Decimal("0.01"), 0.7, True, opened, opened,
    )  # fmt: skip
    at = micro_close_at(levels, rules)
    assert at is not None
    assert micro_hold_expired(levels, at, rules)
    assert not micro_hold_expired(levels, at - TICK, rules)
    standard = StopLevels(
        "KO", Decimal(100), Decimal(98), Decimal(103), 2.0, Decimal(1), Decimal("1.5"),
        Decimal("0.01"), 0.7, False, opened, opened,
    )  # fmt: skip
    assert micro_close_at(standard, rules) is None


def _sessions_from(day: date, until: date) -> list[date]:
    found, session = [], CALENDAR.session(day) or CALENDAR.next_session(day)
    while session is not None and session.day <= until:
        found.append(session.day)
        session = CALENDAR.next_session(session.day)
    return found


@settings(max_examples=150, deadline=None)
@given(instants, days, st.integers(0, 4))
def test_the_rebalance_timer_is_the_first_window_opening_it_is_due_on(
    ref: datetime, last: date | None, weekday: int
) -> None:
    rules = WindowRules(rebalance_weekday=weekday)
    at = rebalance_at(CALENDAR, rules, last, ref)
    assert at is not None
    session = CALENDAR.session(local_day(at))
    assert session is not None and at == session.open + rules.after_open
    assert rebalance_due(last, at, weekday)
    for day in _sessions_from(local_day(ref), session.day)[:-1]:  # none qualified earlier
        earlier = CALENDAR.session(day)
        assert earlier is not None
        window_over = ref >= earlier.close - rules.before_close
        assert window_over or not rebalance_due(last, earlier.open + rules.after_open, weekday)


def test_the_rebalance_comes_on_monday_morning_after_a_friday() -> None:
    friday_close = ny(date(2021, 3, 5), 16, 0)
    at = rebalance_at(CALENDAR, WindowRules(), date(2021, 3, 1), friday_close)
    assert at == ny(date(2021, 3, 8), 9, 45)
    # a Monday holiday: Tuesday's window (Presidents' Day 2021-02-15)
    after_friday = ny(date(2021, 2, 12), 17, 0)
    at = rebalance_at(CALENDAR, WindowRules(), date(2021, 2, 8), after_friday)
    assert at == ny(date(2021, 2, 16), 9, 45)


@given(instants, days)
def test_the_close_timer_is_the_close_of_the_first_session_not_closed(
    ref: datetime, closed: date | None
) -> None:
    at = session_close_at(CALENDAR, closed, ref)
    assert at is not None
    session = CALENDAR.session(local_day(at))
    assert session is not None and at == session.close
    assert session.day >= local_day(ref) and (closed is None or session.day > closed)
    skipped = _sessions_from(local_day(ref), session.day)[:-1]
    assert all(closed is not None and day <= closed for day in skipped)


@given(instants, days)
def test_the_summary_timer_is_half_past_four_on_the_next_session_day(
    ref: datetime, done: date | None
) -> None:
    at = summary_at(time(16, 30), done, ref, CALENDAR)
    assert at is not None and at >= ref
    local = at.astimezone(NY)
    assert local.time() == time(16, 30) and CALENDAR.session(local.date()) is not None
    assert done is None or local.date() > done
    assert summary_at(time(16, 30), done, at, CALENDAR) == at
    later = summary_at(time(16, 30), local.date(), at, CALENDAR)
    assert later is not None and later.astimezone(NY).date() > local.date()


def test_a_day_ends_at_its_daily_bar_or_its_last_intraday_bar() -> None:
    day = date(2021, 3, 2)
    assert day_ends(ny(day, 16, 0), 86_400, CALENDAR, None)
    assert not day_ends(ny(day, 16, 0), 86_400, CALENDAR, day)  # closed already
    assert day_ends(ny(day, 15, 59), 60, CALENDAR, None)  # ends at 16:00
    assert not day_ends(ny(day, 15, 58), 60, CALENDAR, None)
    saturday = date(2021, 3, 6)  # no session: the day ends at midnight New York
    assert not day_ends(ny(saturday, 23, 58), 60, CALENDAR, None)
    assert day_ends(ny(saturday, 23, 59), 60, CALENDAR, None)


def test_keyed_timers_move_cancel_and_place_overdue_duties() -> None:
    clock = SimClock()
    timers = DutyTimers(clock)
    now = ny(date(2021, 3, 2), 10, 0)
    stale, close = duty_key(Duty.STALE, "KO"), duty_key(Duty.CLOSE)
    due = {stale: now - TICK, close: ny(date(2021, 3, 2), 16, 0)}
    timers.apply(due, now, overdue=False)  # after a bar: its review does the overdue one
    assert dict(timers.pending) == {close: due[close]}
    assert clock.timers.next_at == due[close]
    timers.apply(due, now, overdue=True)  # after a report: the overdue one runs next
    assert dict(timers.pending) == {stale: now, close: due[close]}
    assert clock.timers.next_at == now
    assert kinds_due(due, now) == {Duty.STALE}
    timers.apply({close: due[close]}, now, overdue=False)
    assert clock.timers.next_at == due[close] and len(clock.timers) == 1
    fired = clock.timers.pop_due(due[close])
    assert fired == TimerEvent(due[close], "timers.risk", close)
    timers.fired(close)
    timers.apply({close: due[close]}, due[close] - TICK, overdue=False)
    assert clock.timers.next_at == due[close]  # handed out once, scheduled again
    timers.clear()
    assert clock.timers.next_at is None and dict(timers.pending) == {}
