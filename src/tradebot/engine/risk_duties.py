"""The risk stage's timed duties on the clock's timers: what is due when, and one keyed
timer per duty.

Duties (seed 02: 6.1, 9.1, 15.1, 16.1, 17.1, 25), by timer key — when due — what runs:

- ``risk:stale:<symbol>`` — 1 µs after a held symbol's price gets older than
  ``stale_after`` (15 min), if a session is open then — a review (its stale-price exit);
- ``risk:micro:<symbol>`` — 1 µs after a micro-trade's ``max_hold`` — a review (its
  max-hold exit);
- ``risk:review`` — ``review_every`` after the last review while a position is held and its
  market trades (off unless set) — a review;
- ``risk:close`` — the close of the first session not closed yet — the day's close (tier
  evaluation; the state is saved);
- ``risk:rebalance`` — the entry window's opening on the configured weekday (Monday) of a
  week with no rebalance yet — the weekly rebalance;
- ``risk:summary`` — the summary time (16:30 New York) of each session day, when asked for —
  a :class:`~tradebot.engine.daily_summary.DailySummary`.

The trading duties (all but the summary) get timers only while the run's bars are no
longer than the stale-price limit (minute bars, live feeds). With longer bars — daily bars
stamped at the close — the review at each bar time's close is every duty's moment, as it
always was: a review between two such bars would find every price older than the limit,
and an order decided inside the next daily bar would fill at that bar's open, before it was
decided.

:class:`DutyTimers` keeps one pending timer per key on the clock, moving it only when its
time changes. What an *overdue* duty (due at or before the time of planning) gets depends
on who plans: after a bar time's review that a new bar set off, nothing (the new bar time's
own review does it); after an event that is not a bar (a fill report, a command, another
timer), a timer at that event's time, so it runs next; after the duty itself ran, nothing
(it was just done — a second run at the same instant would find the same). A symbol with
an order working gets no stale or max-hold timer: the review leaves it alone until the
order fills or fails (a failed exit plans the timers again).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from tradebot.domain.timer import TimerEvent
from tradebot.ports import Clock
from tradebot.risk import AssetClass, MarketView, RiskConfig, RiskState, SessionCalendar
from tradebot.risk.duty_times import (
    micro_close_at,
    rebalance_at,
    review_at,
    session_close_at,
    stale_check_at,
    summary_at,
)
from tradebot.risk.trading_window import TradingWindow

__all__ = [
    "REVIEWS",
    "RISK_TIMERS",
    "Duty",
    "DutyRules",
    "DutyTimers",
    "due_times",
    "duty_key",
    "kinds_due",
]

RISK_TIMERS = "timers.risk"
"""The topic the risk stage's timers come back on."""

_PREFIX = "risk:"


class Duty(StrEnum):
    STALE = "stale"
    MICRO = "micro"
    REVIEW = "review"
    CLOSE = "close"
    REBALANCE = "rebalance"
    SUMMARY = "summary"


REVIEWS = frozenset({Duty.STALE, Duty.MICRO, Duty.REVIEW})
"""The duties a review does."""


@dataclass(frozen=True, slots=True)
class DutyRules:
    """What the plan is made from that stays fixed for a run."""

    config: RiskConfig
    calendar: SessionCalendar | None
    review_every: timedelta | None = None
    summary_at: time | None = None
    """New York local time of the daily summary (``None``: no summary)."""

    @property
    def window(self) -> TradingWindow:
        return TradingWindow(self.calendar, self.config.window)

    def fine(self, bar_seconds: int) -> bool:
        """Whether bars of this length get timers for the trading duties."""
        return bar_seconds <= self.config.stops.stale_after.total_seconds()


def duty_key(duty: Duty, symbol: str | None = None) -> str:
    """The timer key of ``duty`` (of ``symbol``'s, for the per-symbol duties)."""
    return f"{_PREFIX}{duty}" if symbol is None else f"{_PREFIX}{duty}:{symbol}"


def kinds_due(due: Mapping[str, datetime], at: datetime) -> set[Duty]:
    """The duties among ``due`` (key → time) that are due at or before ``at``."""
    return {Duty(k.removeprefix(_PREFIX).split(":", 1)[0]) for k, t in due.items() if t <= at}


def due_times(
    rules: DutyRules,
    *,
    ref: datetime,
    fine: bool,
    held: Mapping[str, AssetClass],
    working: Collection[str],
    market: MarketView,
    state: RiskState,
    last_review: datetime | None,
    summarised: date | None,
) -> dict[str, datetime]:
    """When each duty is next due (key → time; overdue ones included), from the rules,
    the long positions ``held`` (with their asset classes), the symbols with an order
    ``working`` (the review leaves them alone: their exit is on its way, or an entry's
    next leg), the market's last price times, the risk state, the last review and the last
    day summarised; ``ref`` is now."""
    due: dict[str, datetime] = {}
    if fine:
        window = rules.window
        limit = rules.config.stops.stale_after
        for symbol, kind in held.items():
            if symbol in working:
                continue
            seen = market.last_price_time(symbol)
            stale = None if seen is None else stale_check_at(seen, limit, window, kind)
            if stale is not None:
                due[duty_key(Duty.STALE, symbol)] = stale
            levels = state.stops.get(symbol)
            micro = None if levels is None else micro_close_at(levels, rules.config.micro)
            if micro is not None:
                due[duty_key(Duty.MICRO, symbol)] = micro
        every = rules.review_every
        if every is not None and held and last_review is not None:
            again = review_at(last_review, every, window, frozenset(held.values()))
            if again is not None:
                due[duty_key(Duty.REVIEW)] = again
        closes = state.performance.closes
        close = session_close_at(rules.calendar, closes[-1][0] if closes else None, ref)
        if close is not None:
            due[duty_key(Duty.CLOSE)] = close
        rebalance = rebalance_at(rules.calendar, rules.config.window, state.last_rebalance, ref)
        if rebalance is not None:
            due[duty_key(Duty.REBALANCE)] = rebalance
    if rules.summary_at is not None:
        summary = summary_at(rules.summary_at, summarised, ref, rules.calendar)
        if summary is not None:
            due[duty_key(Duty.SUMMARY)] = summary
    return due


class DutyTimers:
    """The stage's pending timers on ``clock``, one per key (see the module docstring)."""

    __slots__ = ("_at", "_clock")

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._at: dict[str, datetime] = {}

    @property
    def pending(self) -> Mapping[str, datetime]:
        """Key → time of each timer this stage has waiting."""
        return self._at

    def apply(self, due: Mapping[str, datetime], after: datetime, *, overdue: bool) -> None:
        """Make the pending timers those of ``due`` later than ``after`` — and, with
        ``overdue``, those due by ``after`` at ``after`` itself; cancel the rest."""
        wanted: dict[str, datetime] = {}
        for name, at in due.items():
            if at > after:
                wanted[name] = at
            elif overdue:
                wanted[name] = after
        clock, current = self._clock, self._at
        for name in current.keys() - wanted.keys():
            clock.cancel(name)
        for name, at in wanted.items():
            if current.get(name) != at:
                clock.schedule(TimerEvent(at, RISK_TIMERS, name))
        self._at = wanted

    def fired(self, name: str) -> None:
        """The clock handed the timer ``name`` back: it is no longer pending."""
        self._at.pop(name, None)

    def clear(self) -> None:
        for name in self._at:
            self._clock.cancel(name)
        self._at = {}
