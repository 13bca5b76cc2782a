"""When new entries may go out: inside the session, away from the open and the close.

For US equities the window is ``[open + after_open, close − before_close)`` of the XNYS
session, i.e. 9:45–15:45 New York time on a normal day and 9:45–12:45 on a 13:00 early
close (the offsets, not the wall-clock times, are what is configured, so half days stay
sensible). Weekends and holidays have no window. Crypto trades 24/7: always inside.
Exits are not gated by the window (the engine lets them through whenever the market is open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tradebot.risk.calendar import NEW_YORK, SessionCalendar, local_day
from tradebot.risk.config import WindowRules
from tradebot.risk.views import AssetClass

__all__ = ["TradingWindow", "WindowVerdict"]


@dataclass(frozen=True, slots=True)
class WindowVerdict:
    allowed: bool
    detail: str
    opens: datetime | None = None
    closes: datetime | None = None


class TradingWindow:
    """Answers "may an entry go out at ``ts``?" from a session table; no clock is read."""

    __slots__ = ("_calendar", "_rules")

    def __init__(self, calendar: SessionCalendar | None, rules: WindowRules) -> None:
        self._calendar = calendar
        self._rules = rules

    def entry_verdict(self, ts: datetime, asset_class: AssetClass) -> WindowVerdict:
        if asset_class is AssetClass.CRYPTO:
            return WindowVerdict(True, "crypto trades 24/7")
        cal = self._calendar
        if cal is None:
            return WindowVerdict(False, "no session calendar configured for equities")
        day = local_day(ts)
        if not cal.covers(day):
            return WindowVerdict(
                False,
                f"{day} is outside the session calendar ({cal.first_day}..{cal.last_day}); "
                "build the calendar over the run's dates",
            )
        session = cal.session(day)
        if session is None:
            return WindowVerdict(False, f"{day} is not a trading session (weekend or holiday)")
        opens = session.open + self._rules.after_open
        closes = session.close - self._rules.before_close
        allowed = opens <= ts < closes
        where = "inside" if allowed else "outside"
        detail = f"{ts.isoformat()} is {where} the entry window {_hm(opens)}–{_hm(closes)} ET"
        return WindowVerdict(allowed, detail, opens, closes)

    def allows_entry(self, ts: datetime, asset_class: AssetClass) -> bool:
        return self.entry_verdict(ts, asset_class).allowed

    def market_open(self, ts: datetime, asset_class: AssetClass) -> bool:
        """Whether the market trades at ``ts`` (for the stale-price rule)."""
        if asset_class is AssetClass.CRYPTO:
            return True
        if self._calendar is None:
            return False
        return self._calendar.session_at(ts) is not None

    def next_window_open(self, ts: datetime) -> datetime | None:
        """The next instant at or after ``ts`` when the equity entry window opens."""
        cal = self._calendar
        if cal is None:
            return None
        day = local_day(ts)
        session = cal.session(day)
        if session is not None and ts < session.close - self._rules.before_close:
            return max(ts, session.open + self._rules.after_open)
        following = cal.next_session(day)
        return None if following is None else following.open + self._rules.after_open


def _hm(ts: datetime) -> str:
    return ts.astimezone(NEW_YORK).strftime("%H:%M")
