"""When the risk engine's timed duties fall due: pure answers from the rules, the sessions
and what the engine remembers. No clock is read; the reference time comes in.

The exit path and the lifecycle say *what* a duty does; these functions say the first
instant at which it has something to do, so the kernel can hand it a timer for that
instant and the duty runs even when no bar arrives:

- :func:`stale_check_at` — a price is stale once it is older than ``stale_after`` while
  the market trades (the rule is *age > limit*, so one microsecond after the limit);
- :func:`micro_close_at` — a micro-trade is closed once held longer than ``max_hold``
  (again one microsecond after);
- :func:`review_at` — the seed's stop re-evaluation interval: the next review while the
  market trades;
- :func:`session_close_at` — the close of the first session whose day is not closed yet
  (tier evaluation and the day's close are recorded then);
- :func:`rebalance_at` — the opening of the entry window on the first session, on or after
  the configured weekday, of an ISO week with no rebalance yet (seed: Monday's open);
- :func:`summary_at` — the daily summary's local time (16:30 New York by default) on the
  first session day not summarised yet.

An answer may lie before the reference time (a duty already due); whoever schedules the
timer decides what an overdue duty means.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from tradebot.risk.calendar import NEW_YORK, Session, SessionCalendar, local_day
from tradebot.risk.config import MicroRules, WindowRules
from tradebot.risk.rebalancer import rebalance_due
from tradebot.risk.stops import StopLevels
from tradebot.risk.trading_window import TradingWindow
from tradebot.risk.views import AssetClass

__all__ = [
    "TICK",
    "day_ends",
    "micro_close_at",
    "rebalance_at",
    "review_at",
    "session_close_at",
    "stale_check_at",
    "summary_at",
]

TICK = timedelta(microseconds=1)
"""The smallest step of time: a rule that needs *more than* a limit is due this much after."""

_LOOKAHEAD_SESSIONS = 16
"""How far ahead a weekly duty is searched for (more than two weeks of sessions)."""
_LOOKAHEAD_DAYS = 10
"""How many days ahead the daily summary is searched for (a long holiday weekend fits)."""
_DAY = timedelta(days=1)


def day_ends(
    ts: datetime, bar_seconds: int, calendar: SessionCalendar | None, closed: date | None
) -> bool:
    """Whether bar time ``ts`` (bars of ``bar_seconds``) is the last of its New York day,
    which is not closed yet (``closed``: the last day closed): a daily bar always is; an
    intraday bar when it ends at or after its session's close (without a session that day,
    at midnight New York)."""
    day = local_day(ts)
    if closed is not None and closed >= day:
        return False
    if bar_seconds >= _DAY.total_seconds():
        return True
    bar_end = ts + timedelta(seconds=bar_seconds)
    session = calendar.session(day) if calendar is not None else None
    if session is not None:
        return bar_end >= session.close
    return local_day(bar_end) != day


def stale_check_at(
    seen: datetime, limit: timedelta, window: TradingWindow, kind: AssetClass
) -> datetime | None:
    """When a price last seen at ``seen`` becomes stale, if the market trades then; ``None``
    when it would fall outside a session (the market is shut: nothing is stale there, and
    the next review after the open applies the rule again)."""
    at = seen + limit + TICK
    return at if window.market_open(at, kind) else None


def micro_close_at(levels: StopLevels, rules: MicroRules) -> datetime | None:
    """When a micro-trade has been held longer than ``max_hold`` (``None``: not micro)."""
    return levels.opened_at + rules.max_hold + TICK if levels.is_micro else None


def review_at(
    last: datetime, every: timedelta, window: TradingWindow, kinds: frozenset[AssetClass]
) -> datetime | None:
    """The next periodic review after the one at ``last``, if some market among ``kinds``
    (the held positions' asset classes) trades then."""
    at = last + every
    return at if any(window.market_open(at, kind) for kind in kinds) else None


def session_close_at(
    calendar: SessionCalendar | None, closed: date | None, ref: datetime
) -> datetime | None:
    """The close of the first session from ``ref``'s New York day on whose day is later
    than ``closed`` (the last day closed); ``None`` without a calendar or past its range."""
    if calendar is None:
        return None
    start = local_day(ref)
    if closed is not None and closed >= start:
        start = closed + _DAY
    found = _session_from(calendar, start)
    return None if found is None else found.close


def rebalance_at(
    calendar: SessionCalendar | None, rules: WindowRules, last: date | None, ref: datetime
) -> datetime | None:
    """The entry window's opening on the first session from ``ref``'s day on whose window
    is not over at ``ref`` and on which the weekly rebalance is due (the configured
    weekday reached in an ISO week without one; ``last``: the day of the last rebalance).
    A window open at ``ref`` gives its own opening (due already)."""
    if calendar is None:
        return None
    session = _session_from(calendar, local_day(ref))
    for _ in range(_LOOKAHEAD_SESSIONS):
        if session is None:
            return None
        opens = session.open + rules.after_open
        if ref < session.close - rules.before_close and rebalance_due(
            last, opens, rules.rebalance_weekday
        ):
            return opens
        session = calendar.next_session(session.day)
    return None


def summary_at(
    at: time, done: date | None, ref: datetime, calendar: SessionCalendar | None
) -> datetime | None:
    """The first instant at or after ``ref`` that is local time ``at`` (New York) of a
    day later than ``done`` (the last day summarised) — a session day where a calendar is
    known, any day without one."""
    day = local_day(ref)
    if done is not None and done >= day:
        day = done + _DAY
    for _ in range(_LOOKAHEAD_DAYS):
        if calendar is None or calendar.session(day):
            instant = datetime.combine(day, at, tzinfo=NEW_YORK).astimezone(UTC)
            if instant >= ref:
                return instant
        day += _DAY
    return None


def _session_from(calendar: SessionCalendar, day: date) -> Session | None:
    """The session on ``day``, or the first one after it."""
    return calendar.session(day) or calendar.next_session(day)
