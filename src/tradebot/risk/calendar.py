"""Exchange sessions as a plain, immutable table, and trading days between two dates.

The engine needs two questions answered fast and without a clock: "is this UTC instant
inside a session, and where is that session's open and close?" and "how many sessions lie
between today and that earnings date?". :class:`SessionCalendar` answers both from a sorted
tuple of sessions (O(1) by date, O(log n) counts). :func:`exchange_sessions` builds one from
``exchange_calendars`` (XNYS by default: holidays and 13:00 early closes included); that
library computes from rules and reads no file, and it is imported lazily because building a
calendar takes about 0.1 s.
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tradebot.domain.errors import ConfigError

__all__ = ["NEW_YORK", "Session", "SessionCalendar", "exchange_sessions", "local_day"]

NEW_YORK = ZoneInfo("America/New_York")


def local_day(ts: datetime) -> date:
    """The New York calendar date of a UTC instant (the day a US session belongs to)."""
    return ts.astimezone(NEW_YORK).date()


@dataclass(frozen=True, slots=True)
class Session:
    """One trading session: its New York date and its UTC open and close."""

    day: date
    open: datetime
    close: datetime


class SessionCalendar:
    """Sessions between ``first_day`` and ``last_day``; outside that range nothing is known."""

    __slots__ = ("_by_day", "_days", "first_day", "last_day")

    def __init__(self, sessions: Iterable[Session], first_day: date, last_day: date) -> None:
        ordered = sorted(sessions, key=lambda s: s.day)
        self._days = tuple(s.day for s in ordered)
        self._by_day = {s.day: s for s in ordered}
        self.first_day = first_day
        self.last_day = last_day

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def session(self, day: date) -> Session | None:
        """The session on ``day``, or None on a weekend, holiday or outside the range."""
        return self._by_day.get(day)

    def session_at(self, ts: datetime) -> Session | None:
        """The session open at instant ``ts`` (open inclusive, close exclusive)."""
        found = self._by_day.get(local_day(ts))
        if found is not None and found.open <= ts < found.close:
            return found
        return None

    def sessions_after(self, day: date, until: date) -> int:
        """How many sessions fall in ``(day, until]`` (0 when ``until <= day``)."""
        if until <= day:
            return 0
        return bisect.bisect_right(self._days, until) - bisect.bisect_right(self._days, day)

    def next_session(self, day: date) -> Session | None:
        """The first session strictly after ``day`` within the range."""
        index = bisect.bisect_right(self._days, day)
        return self._by_day[self._days[index]] if index < len(self._days) else None


def exchange_sessions(start: date, end: date, code: str = "XNYS") -> SessionCalendar:
    """The sessions of exchange ``code`` from ``start`` to ``end`` (inclusive)."""
    if end < start:
        raise ConfigError(f"calendar range {start}..{end} is empty", "give start <= end")
    import exchange_calendars as xcals  # lazily: heavy, and only the calendar builder needs it

    try:
        with warnings.catch_warnings():  # the library trips a pandas deprecation inside
            warnings.simplefilter("ignore")
            cal = xcals.get_calendar(code, start=start.isoformat(), end=end.isoformat())
    except Exception as exc:  # the library raises several unrelated types for bad input
        raise ConfigError(
            f"cannot build the {code} exchange calendar for {start}..{end}: {exc}",
            "use an exchange_calendars code such as XNYS and dates the library covers",
        ) from exc
    schedule = cal.schedule
    sessions = [
        Session(
            day=label.date(),
            open=row_open.to_pydatetime().astimezone(UTC),
            close=row_close.to_pydatetime().astimezone(UTC),
        )
        for label, row_open, row_close in zip(
            schedule.index, schedule["open"], schedule["close"], strict=True
        )
    ]
    return SessionCalendar(sessions, start, end)
