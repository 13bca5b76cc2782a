"""From a kernel's bus to its owner's phone: :class:`NotificationWatcher` subscribes to a
paper or live kernel's topics (after its stages) and hands each notable event to the
:class:`~tradebot.ports.Notifier` as a :class:`~tradebot.domain.notifications.Notification`.

- **It never stops the run.** A handler that fails is logged once and the message goes on
  (the bus would end the run on an exception; a notification is not worth that).
- **It never waits.** ``notify`` only queues (the dispatcher's worker sends): the kernel's
  thread spends microseconds per notable event, and nothing on an ordinary bar.
- **It says each thing once.** An order published again with the same unknown outcome is
  one notification; a resumed run replaying its recorded past says nothing.
- **Bounded:** it keeps the last 30 daily equities (for the sparkline), the current week's
  summaries, and the last 1,000 order ids it spoke of.

What it hears: breaker trips and resumes, tier changes and emergency liquidations
(:data:`~tradebot.engine.topics.RISK_EVENTS`), large trade P&L (``trades.closed``), the kill
switch (``commands.outcomes``), orders whose outcome is unknown (``orders``), the daily
summary (and, on the week's last one — Friday, or the first summary of a week that did not
get its digest — the weekly digest), reconciliation mismatches (``reconciliations``), and a
live stream going down or coming back (the kernel's feed health, on the stream's thread).
"""

from __future__ import annotations

import functools
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

from tradebot.domain.commands import CommandKind, CommandOutcome, CommandStatus
from tradebot.domain.enums import OrderStatus
from tradebot.domain.messages import ClosedTrade, Order
from tradebot.domain.notifications import Notification
from tradebot.engine.daily_summary import DailySummary
from tradebot.engine.reconcile import Reconciliation
from tradebot.ops.logging import get_logger
from tradebot.ports import Notifier
from tradebot.risk.events import BreakerEvent, Notice
from tradebot.risk.tiers import TierChange
from tradebot.runtime.notify import messages

__all__ = ["NotificationWatcher"]

_EQUITIES: Final = 30
_ORDER_IDS: Final = 1_000
_FRIDAY: Final = 4
_log = get_logger("notify")

_H = TypeVar("_H", bound=Callable[..., None])


def _never_raises(handler: _H) -> _H:
    """Log (once per handler) what ``handler`` raises instead of raising it into the bus."""
    warned: list[bool] = []

    @functools.wraps(handler)
    def guarded(self: NotificationWatcher, *args: Any) -> None:
        try:
            handler(self, *args)
        except Exception as exc:
            if not warned:
                warned.append(True)
                _log.warning(
                    "notification watcher failed", handler=handler.__name__, error=repr(exc)
                )

    return guarded  # type: ignore[return-value]


class NotificationWatcher:
    """See the module docstring."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        run_id: str,
        large_trade_pnl: Decimal,
        weekly_digest: bool,
        now: Callable[[], datetime],
        active: Callable[[], bool] = lambda: True,
    ) -> None:
        self._notifier = notifier
        self._run_id = run_id
        self._large = large_trade_pnl
        self._weekly = weekly_digest
        self._now = now
        self._active = active
        self._equities: deque[Decimal] = deque(maxlen=_EQUITIES)
        self._week: list[DailySummary] = []
        self._week_start: Decimal | None = None
        self._digested: tuple[int, int] | None = None
        self._unknown: OrderedDict[str, None] = OrderedDict()
        self.sent = 0
        """Notifications handed over so far."""

    def _tell(self, notification: Notification | None) -> None:
        if notification is not None and self._active():
            self._notifier.notify(notification)
            self.sent += 1

    # --- bus handlers (the kernel's thread) ---------------------------------------------
    @_never_raises
    def on_risk_events(self, events: Iterable[object]) -> None:
        for event in events:
            if isinstance(event, BreakerEvent):
                self._tell(messages.breaker(event, self._run_id))
            elif isinstance(event, TierChange):
                self._tell(messages.tier_changed(event, self._run_id))
            elif isinstance(event, Notice):
                self._tell(messages.notice(event, self._run_id))

    @_never_raises
    def on_trade(self, trade: ClosedTrade) -> None:
        self._tell(messages.large_trade(trade, self._large, self._run_id))

    @_never_raises
    def on_outcome(self, outcome: CommandOutcome) -> None:
        if outcome.kind is CommandKind.KILL and outcome.status is CommandStatus.APPLIED:
            self._tell(messages.kill_switch(outcome))

    @_never_raises
    def on_order(self, order: Order) -> None:
        if order.status is not OrderStatus.UNKNOWN or order.client_order_id in self._unknown:
            return
        self._unknown[order.client_order_id] = None
        while len(self._unknown) > _ORDER_IDS:
            self._unknown.popitem(last=False)
        self._tell(messages.order_unknown(order, self._run_id, self._now()))

    @_never_raises
    def on_reconciliation(self, outcome: Reconciliation) -> None:
        if not outcome.ok:
            self._tell(messages.reconciliation_mismatch(outcome, self._run_id))

    @_never_raises
    def on_summary(self, summary: DailySummary) -> None:
        week = summary.day.isocalendar()[:2]
        if self._week and self._week[-1].day.isocalendar()[:2] != week:
            self._digest()  # last week ended without its digest (no Friday summary)
            self._week_start = self._week[-1].equity
            self._week = []
        if not self._week and self._week_start is None and summary.day_pnl is not None:
            self._week_start = summary.equity - summary.day_pnl
        self._week.append(summary)
        self._equities.append(summary.equity)
        self._tell(messages.daily_summary(summary, list(self._equities)))
        if summary.day.weekday() >= _FRIDAY:
            self._digest()

    def _digest(self) -> None:
        if not self._weekly or not self._week:
            return
        week = self._week[-1].day.isocalendar()[:2]
        if self._digested == (week[0], week[1]):
            return
        self._digested = (week[0], week[1])
        self._tell(messages.weekly_digest(self._week, self._week_start))

    # --- the feed's health (the stream's thread) -------------------------------------------
    @_never_raises
    def on_feed(self, source: str, connected: bool, detail: str) -> None:
        self._tell(messages.feed_changed(source, connected, detail, self._now(), self._run_id))
