"""Orders whose submit reply was lost: asked about by client order id, never resent.

A submit that timed out may or may not have reached the venue, so the order is ``UNKNOWN``.
The order manager asks the venue at once; if the venue does not know the order either,
this keeps asking on the clock's timers at the intervals of a
:class:`~tradebot.domain.order_lookup.LookupSchedule` (0.5 s doubling to 30 s by default),
hands every answer to the order manager as a report, and after the last try escalates:
one error line ("order unknown"), the order left ``UNKNOWN`` for a human. Nothing here ever
submits again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tradebot.domain.errors import BrokerError
from tradebot.domain.messages import Order
from tradebot.domain.order_lookup import LookupSchedule
from tradebot.domain.timer import TimerEvent
from tradebot.ops.logging import get_logger
from tradebot.ports import BrokerQueries, Clock

__all__ = ["ORDER_TIMERS", "LostReplies"]

ORDER_TIMERS = "timers.orders"
"""The topic of the order manager's timers."""


@dataclass(slots=True)
class _Asking:
    lost_at: datetime
    lookups: int = 0


class LostReplies:
    def __init__(
        self,
        broker: BrokerQueries,
        clock: Clock,
        answer: Callable[[str, Order], None],
        escalate: Callable[[str, str], None],
        schedule: LookupSchedule | None = None,
    ) -> None:
        """``answer(coid, order)`` gets each venue view found; ``escalate(coid, why)`` is
        called once when the schedule gives up."""
        self._broker = broker
        self._clock = clock
        self._answer = answer
        self._escalate = escalate
        self.schedule = schedule or LookupSchedule()
        self._asking: dict[str, _Asking] = {}
        self._log = get_logger("order-manager")

    def __contains__(self, client_order_id: str) -> bool:
        return client_order_id in self._asking

    def lost(self, client_order_id: str, at: datetime) -> None:
        """The venue could not say what became of the order (a lookup right after the lost
        reply found nothing): ask again on the schedule."""
        if client_order_id in self._asking:
            return
        self._asking[client_order_id] = _Asking(at)
        self._next(client_order_id)

    def resolved(self, client_order_id: str) -> None:
        """A report settled the order: stop asking."""
        if self._asking.pop(client_order_id, None) is not None:
            self._clock.cancel(self._key(client_order_id))

    def on_timer(self, timer: TimerEvent) -> None:
        coid = timer.key.removeprefix("lookup:")
        asking = self._asking.get(coid)
        if asking is None:
            return
        asking.lookups += 1
        try:
            found = self._broker.lookup(coid)
        except BrokerError as exc:
            self._log.warning("order lookup failed", client_order_id=coid, error=exc.one_line())
            found = None
        if found is not None:
            self._asking.pop(coid, None)
            self._answer(coid, found)
            return
        self._next(coid)

    def _next(self, coid: str) -> None:
        asking = self._asking[coid]
        due = self.schedule.due(asking.lost_at, asking.lookups + 1)
        if due is None or self.schedule.escalate(asking.lookups):
            del self._asking[coid]
            why = f"order unknown: {asking.lookups} lookups found nothing; left for a human"
            self._log.error("order unknown", client_order_id=coid, lookups=asking.lookups)
            self._escalate(coid, why)
            return
        self._clock.schedule(TimerEvent(due, ORDER_TIMERS, self._key(coid)))

    @staticmethod
    def _key(coid: str) -> str:
        return f"lookup:{coid}"
