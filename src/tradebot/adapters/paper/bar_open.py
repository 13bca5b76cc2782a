"""When a bar opened: the time the paper venue stamps a fill at the open with.

A bar is labelled with its close (``Bar.ts``, DESIGN.md §4); a market order decided on bar t
fills at bar t+1's *open*, and its fill says when that was — never the close of a bar whose
open it traded at. The rule:

- a bar shorter than a day opened one timeframe before its close (a 1m bar closing at
  09:31 opened at 09:30);
- a daily bar labelled at the close of a session of ``calendar`` (XNYS by default: how the
  importer and the sample data label date-only rows) opened at that session's open — 09:30
  New York for XNYS, whose early closes end a session sooner but never open it later;
- any other daily bar (a 24/7 market's day labelled 00:00 UTC, a date that is no session,
  ``calendar=None``) opened 24 hours before its close.

So a fill at the open of a daily equity bar (09:30) comes after the decision at the previous
close (16:00 the session before); on a market that never closes, the open of bar t+1 *is*
the close of bar t, and the fill is stamped with that same instant, after the decision in
processing order.

Every XNYS session opens at 09:30 New York (``exchange_calendars`` lists no late open since
1990; a test holds this rule to the library session by session), so a daily bar labelled
later on a weekday (its UTC date, as sessions close at 20:00 or 21:00 UTC) opened at 09:30
New York that day, found without building the calendar (~0.15 s a decade, as long as a
whole 50,000-bar backtest); a holiday is not told apart. Other calendars' sessions are read
from ``exchange_calendars`` a decade at a time, on the first fill of that decade.
"""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe

__all__ = ["REGULAR_OPENS", "SessionOpens"]

_DAY = timedelta(days=1)
_LENGTH = {timeframe: timedelta(seconds=timeframe.seconds) for timeframe in Timeframe}
"""Each timeframe's bar length (a fill at the open of every minute bar asks for one)."""
REGULAR_OPENS = {"XNYS": (time(9, 30), ZoneInfo("America/New_York"))}
"""Calendars whose every session opens at one local time, on the UTC date it closes."""
_Sessions = dict[date, tuple[datetime, datetime]]
"""UTC date of a session's close -> (open, close), both UTC."""


class SessionOpens:
    """``opens(bar)``: when ``bar`` opened, by the module's rule."""

    def __init__(self, calendar: str | None = "XNYS") -> None:
        self.calendar = calendar

    def __call__(self, bar: Bar) -> datetime:
        timeframe = bar.timeframe
        if timeframe is not Timeframe.D1:
            return bar.ts - _LENGTH[timeframe]
        calendar = self.calendar or ""
        if calendar in REGULAR_OPENS:  # the session of the bar's UTC date, if it opened before
            day = bar.ts.astimezone(UTC).date()
            opened = _regular_open(calendar, day)
            return opened if day.weekday() < 5 and opened < bar.ts else bar.ts - _DAY
        if self.calendar is not None:
            close = bar.ts.astimezone(UTC)
            session = _read_sessions(self.calendar, close.year // 10).get(close.date())
            if session is not None and session[0] < close:
                return session[0]
        return bar.ts - _DAY


@lru_cache(maxsize=8192)
def _regular_open(calendar: str, day: date) -> datetime:
    """When ``day``'s session of a calendar of :data:`REGULAR_OPENS` opens, in UTC (kept
    for the ~30 years a cache this size holds: a zone conversion per daily fill costs as
    much as the rest of the fill)."""
    opened_at, zone = REGULAR_OPENS[calendar]
    return datetime.combine(day, opened_at, zone).astimezone(UTC)


@lru_cache(maxsize=64)
def _read_sessions(calendar: str, decade: int) -> _Sessions:
    """The sessions of ``calendar`` closing in ``decade`` (years ``decade × 10`` to
    ``decade × 10 + 9``); none where the library does not cover them (the 24-hour rule
    then applies)."""
    import exchange_calendars as xcals  # lazily: heavy, and only daily fills need it

    first, last = date(decade * 10, 1, 1), date(decade * 10 + 9, 12, 31)
    try:
        with warnings.catch_warnings():  # the library trips a pandas deprecation inside
            warnings.simplefilter("ignore")
            schedule = xcals.get_calendar(
                calendar, start=first.isoformat(), end=last.isoformat()
            ).schedule
    except Exception:  # out of the library's range, or an unknown code: no sessions known
        return {}
    sessions: _Sessions = {}
    for opened, closed in zip(schedule["open"], schedule["close"], strict=True):
        close = closed.to_pydatetime().astimezone(UTC)
        sessions[close.date()] = (opened.to_pydatetime().astimezone(UTC), close)
    return sessions
