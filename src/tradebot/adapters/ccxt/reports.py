"""Execution reports from a ccxt exchange by polling (a :class:`~tradebot.ports.ReportStream`).

Every round asks, per session symbol, for the trades since the newest one seen (fills,
deduplicated by trade id) and for the open orders; an order this session sent that is no
longer open is looked up once and, if it ended unfilled (cancelled, expired, rejected),
reported. Runs on the broker's loop thread with the broker's client. ccxt.pro's
``watch_orders`` is not used: polling works on every exchange and against the fake.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, wait
from datetime import datetime, timedelta

from tradebot.adapters.ccxt.broker import CcxtBroker
from tradebot.adapters.ccxt.convert import order_from_ccxt, to_ms
from tradebot.adapters.ccxt.polling import poll_forever
from tradebot.adapters.clock import utc_now
from tradebot.domain.enums import OrderStatus
from tradebot.domain.execution import status_report
from tradebot.ports import EventSink

__all__ = ["CcxtOrderReports"]

DEFAULT_POLL_S = 2.0
"""Seconds between two rounds when the caller names none (``live.poll_s`` unset)."""
_ENDS = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)
_FINAL = (*_ENDS, OrderStatus.FILLED)


class CcxtOrderReports:
    """Polls ``broker``'s exchange every ``poll_s`` seconds (None: :data:`DEFAULT_POLL_S`)
    for fills and order ends."""

    source = "ccxt-orders"

    def __init__(
        self,
        broker: CcxtBroker,
        *,
        poll_s: float | None = None,
        lookback: timedelta = timedelta(minutes=1),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._broker, self._now = broker, now
        self._poll_s = poll_s if poll_s is not None else DEFAULT_POLL_S
        self._lookback = lookback
        self._since: dict[str, int] = {}
        self._seen: set[str] = set()
        self._done: set[str] = set()
        self._task: Future[None] | None = None

    def start(self, sink: EventSink) -> None:
        start_ms = to_ms(self._now() - self._lookback)
        self._since = {s: start_ms for s in self._broker.symbols}

        async def round_() -> None:
            await self._round(sink)

        self._task = self._broker.spawn(
            poll_forever(
                self.source,
                sink,
                round_,
                interval_s=lambda: self._poll_s,
                exchange_id=self._broker.exchange_id,
            )
        )

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            wait([task], timeout=5)

    async def _round(self, sink: EventSink) -> None:
        ex = self._broker.exchange
        for symbol in self._broker.symbols:
            since = self._since.setdefault(symbol, to_ms(self._now() - self._lookback))
            trades = await ex.fetch_my_trades(symbol, since, 1000)
            fresh = [t for t in trades if str(t["id"]) not in self._seen]
            for report in await self._broker.reports_of(symbol, trades):
                if report.trade_id in {str(t["id"]) for t in fresh}:
                    sink.report(report)
            for trade in fresh:
                self._seen.add(str(trade["id"]))
                self._since[symbol] = max(self._since[symbol], int(trade["timestamp"]))
            await self._ends(symbol, sink)

    async def _ends(self, symbol: str, sink: EventSink) -> None:
        """Report the end of each of this session's orders that left the open list without
        filling completely (asked once per order, when it is no longer open)."""
        ex = self._broker.exchange
        open_ids = {str(raw.get("clientOrderId")) for raw in await ex.fetch_open_orders(symbol)}
        for client_id in self._broker.session_orders(symbol) - open_ids - self._done:
            raw = await ex.fetch_order(None, symbol, {"clientOrderId": client_id})
            order = order_from_ccxt(raw, self._broker.known_order(client_id))
            if order.status in _FINAL:
                self._done.add(client_id)
            if order.status in _ENDS:
                report = status_report(order, self._now())
                if report is not None:
                    sink.report(report)
