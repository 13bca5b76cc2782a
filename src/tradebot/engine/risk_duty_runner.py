"""What the risk stage does when one of its duty timers fires, and when it plans them.

The stage plans its timers (:mod:`tradebot.engine.risk_duties`) after each bar time's
close, at its first bar (and the first after a resume), and after a fill or a failed order
that arrives while no bar time is open. When a timer fires at ``t``:

1. the bar time before ``t`` is closed if it was not (the kernel does this first anyway);
2. if a bar time at or after ``t`` is open, the trading duties wait: that bar time's review
   does them at its own time, as it always did (a duty due at a bar's own time meets the
   bar first: timers come last among the events of an instant);
3. otherwise every duty due by ``t`` runs at ``t``, in this order: one review (stale
   prices, micro-trades past their maximum hold, the review interval — its exits are exit
   decisions stamped ``t``), the weekly rebalance if it is still due, the day's close if no
   bar time closed it (tier evaluation; the state is saved as of ``t``);
4. the daily summary, when due, is published in either case (it changes nothing);
5. the timers are planned again from ``t``.

A resumed run replaying its recorded past runs no duty and plans nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING

from tradebot.domain.enums import Direction
from tradebot.domain.timer import TimerEvent
from tradebot.engine.daily_summary import DAILY_SUMMARIES, daily_summary
from tradebot.engine.risk_duties import REVIEWS, Duty, DutyRules, DutyTimers, due_times, kinds_due
from tradebot.ports import Bus, Clock
from tradebot.risk.calendar import local_day

if TYPE_CHECKING:
    from tradebot.engine.order_manager import OrderManager
    from tradebot.engine.portfolio import Portfolio
    from tradebot.engine.risk_stage import RiskStage

__all__ = ["DutyRunner"]


class DutyRunner:
    """The timed half of a :class:`~tradebot.engine.risk_stage.RiskStage`."""

    def __init__(
        self,
        stage: RiskStage,
        clock: Clock,
        rules: DutyRules,
        portfolio: Portfolio,
        orders: OrderManager,
        bus: Bus,
    ) -> None:
        self._stage = stage
        self._clock = clock
        self._rules = rules
        self._portfolio = portfolio
        self._orders = orders
        self._bus = bus
        self.timers = DutyTimers(clock)
        self.counts: Counter[Duty] = Counter()
        """How often each duty ran on its timer (not at a bar time's review)."""
        self.replan = True
        """Plan at the next bar: the first, or the first after a resume."""
        self.last_review: datetime | None = None
        self.latest: datetime | None = None
        """The latest time a duty ran at on its timer."""
        self._summarised: date | None = None
        self._running = False

    # --- planning ------------------------------------------------------------------------
    def plan(self, after: datetime, *, overdue: bool) -> None:
        """Put the timers where the duties are due now (``after``: the time of the event at
        hand; ``overdue``: a duty already due gets a timer at ``after``)."""
        if self._stage.replaying:
            return
        self.replan = False
        self.timers.apply(self._due(after), after, overdue=overdue)

    def between_bars(self) -> None:
        """A fill or a failed order arrived: if no bar time is open (a venue report between
        two bars), plan again now. Inside a bar time its close plans; inside a duty, its end."""
        stage = self._stage
        if not self._running and not stage.bar_time_open:
            self.plan(self._clock.now(), overdue=True)

    def _due(self, ref: datetime) -> dict[str, datetime]:
        stage = self._stage
        held = {
            s: stage.instrument_of(s).asset_class
            for s, p in self._portfolio.positions.items()
            if p.side is Direction.LONG
        }
        return due_times(
            self._rules,
            ref=ref,
            fine=self._rules.fine(stage.bar_seconds),
            held=held,
            working={o.symbol for o in self._orders.open_orders()},
            market=stage.market,
            state=stage.state,
            last_review=self.last_review,
            summarised=self._summarised,
        )

    # --- firing --------------------------------------------------------------------------
    def on_timer(self, timer: TimerEvent) -> None:
        stage = self._stage
        if stage.replaying:
            return
        self.timers.fired(timer.key)
        at = timer.ts
        stage.close_through(at)
        due = kinds_due(self._due(at), at)
        current = stage.current
        free = current is None or current < at  # no bar time at or after ``at`` is open
        self._running = True
        try:
            if free and due & REVIEWS:
                self._review(at, due & REVIEWS)
            if free and Duty.REBALANCE in due:
                self._rebalance(at)
            if free and Duty.CLOSE in due:
                self._end_day(at)
            if Duty.SUMMARY in due:
                self._summarised = local_day(at)
                summary = daily_summary(stage.run_id, stage.view(), stage.state, at)
                self._bus.publish(DAILY_SUMMARIES, summary)
                self.counts[Duty.SUMMARY] += 1
        finally:
            self._running = False
        if free:
            self.plan(at, overdue=False)

    def _review(self, at: datetime, why: set[Duty]) -> None:
        stage = self._stage
        review = stage.engine.review(stage.view(), stage.market, stage.state, at)
        stage.state = review.state
        stage.record(review.events)
        stage.send_exits(review.exits, at)
        self.last_review = at
        self._ran(at, *why)

    def _rebalance(self, at: datetime) -> None:
        stage = self._stage
        if stage.operator.halted() or not stage.engine.rebalance_due(stage.state, at):
            return
        rebalance = stage.engine.rebalance(stage.view(), stage.state, at)
        stage.state = rebalance.state
        stage.record(rebalance.events)
        stage.send_exits(rebalance.exits, at)
        self._ran(at, Duty.REBALANCE)

    def _end_day(self, at: datetime) -> None:
        stage = self._stage
        closes = stage.state.performance.closes
        if closes and closes[-1][0] >= local_day(at):
            return  # the day's last bar time closed it
        stage.state, events = stage.engine.end_of_day(stage.view(), stage.state, at)
        stage.record(events)
        stage.save(at)
        self._ran(at, Duty.CLOSE)

    def _ran(self, at: datetime, *duties: Duty) -> None:
        self.counts.update(duties)
        if self.latest is None or at > self.latest:
            self.latest = at
