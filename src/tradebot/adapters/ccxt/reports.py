"""Execution reports from a ccxt exchange (a :class:`~tradebot.ports.ReportStream`):
streamed over the exchange's user data stream where it has one, and always polled.

Streaming (:mod:`tradebot.adapters.ccxt.user_stream`, :attr:`CcxtOrderReports.mode`
``"websocket"``): each trade the stream brings is reported as a fill at once (its trade
id is the exchange's, the one polling and ``fills_since`` use), each order that ends
unfilled (cancelled, expired, rejected) as its end; after every (re)connection the
polling round is run once to fill the gap. Polling goes on beside it every ``poll_s``
(the fallback, and the only path where the stream is not available): every round
asks, per session symbol, for the trades since the newest one seen (fills, deduplicated
by trade id) and for the open orders; an order this session sent that is no
longer open is looked up once and, if it ended unfilled (cancelled, expired, rejected),
reported. Runs on the broker's loop thread with the broker's client. Whichever path
sees a trade or an order's end first reports it; the other drops it (ids seen).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, wait
from datetime import datetime, timedelta
from typing import Any

from tradebot.adapters.ccxt.broker import CcxtBroker
from tradebot.adapters.ccxt.convert import order_from_ccxt, to_ms
from tradebot.adapters.ccxt.polling import poll_forever
from tradebot.adapters.ccxt.user_stream import user_client, watch_executions
from tradebot.adapters.ccxt.watching import StreamLink
from tradebot.adapters.clock import utc_now
from tradebot.domain.enums import OrderStatus
from tradebot.domain.execution import status_report
from tradebot.ports import EventSink

__all__ = ["CcxtOrderReports"]

DEFAULT_POLL_S = 2.0
"""Seconds between two rounds when the caller names none (``live.poll_s`` unset)."""
_ENDS = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)
_FINAL = (*_ENDS, OrderStatus.FILLED)
_STREAM_SOURCE = "ccxt-orders-stream"


class CcxtOrderReports:
    """Polls ``broker``'s exchange every ``poll_s`` seconds (None: :data:`DEFAULT_POLL_S`)
    for fills and order ends, and streams them where the exchange can (module docstring).

    ``rest_overridden``: the broker's REST client points at another host than the
    exchange's (``live.ccxt_url``); then the stream is used only with a
    ``ws_urls_override`` naming that host's WebSocket API
    (:func:`~tradebot.adapters.ccxt.user_stream.user_stream_urls`)."""

    source = "ccxt-orders"

    def __init__(
        self,
        broker: CcxtBroker,
        *,
        poll_s: float | None = None,
        lookback: timedelta = timedelta(minutes=1),
        now: Callable[[], datetime] = utc_now,
        rest_overridden: bool = False,
        ws_urls_override: Mapping[str, Any] | None = None,
        prefer_polling: bool = False,
    ) -> None:
        self._broker, self._now = broker, now
        self._poll_s = poll_s if poll_s is not None else DEFAULT_POLL_S
        self._lookback = lookback
        self._since: dict[str, int] = {}
        self._seen: set[str] = set()
        self._done: set[str] = set()
        self._task: Future[None] | None = None
        self._stream_task: Future[None] | None = None
        self._trades: dict[str, list[Mapping[str, Any]]] = {}
        """Order id → its trades seen on the stream (a fill's cumulative quantity)."""
        self._user: Any = None
        if not prefer_polling:
            self._user = user_client(
                broker.exchange_id,
                broker.exchange,
                rest_overridden=rest_overridden,
                ws_urls_override=ws_urls_override,
            )
        self.mode = "polling" if self._user is None else "websocket"

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
        if self._user is not None:
            self._stream_task = self._broker.spawn(self._stream(sink))

    async def _stream(self, sink: EventSink) -> None:
        async def trades(rows: list[dict[str, Any]]) -> None:
            await self._stream_trades(rows, sink)

        async def orders(rows: list[dict[str, Any]]) -> None:
            await self._stream_orders(rows, sink)

        async def gap() -> None:
            await self._round(sink)

        try:
            await watch_executions(
                self._user,
                link=StreamLink(_STREAM_SOURCE, sink),
                on_trades=trades,
                on_orders=orders,
                gap=gap,
                exchange_id=self._broker.exchange_id,
            )
        finally:
            await self._user.close()

    def stop(self) -> None:
        for task in (self._stream_task, self._task):
            if task is not None:
                task.cancel()
                wait([task], timeout=5)
        self._task = self._stream_task = None

    async def _stream_trades(self, rows: Sequence[Mapping[str, Any]], sink: EventSink) -> None:
        """Report the stream's trades of this session's markets as fills (once each)."""
        symbols = set(self._broker.symbols)
        changed: dict[str, str] = {}  # order id → symbol, of the orders with a new trade
        for trade in rows:
            symbol = str(trade.get("symbol"))
            if symbol not in symbols or trade.get("id") is None:
                continue
            known = self._trades.setdefault(str(trade["order"]), [])
            if all(str(t["id"]) != str(trade["id"]) for t in known):
                known.append(trade)
                changed[str(trade["order"])] = symbol
        # ccxt hands over its whole trade cache on each wake: only the orders that gained a
        # trade are reported again (the reports of the others are what they were)
        for order_id, symbol in changed.items():
            await self._emit(symbol, self._trades[order_id], sink)

    async def _stream_orders(self, rows: Sequence[Mapping[str, Any]], sink: EventSink) -> None:
        """Report each of this session's orders that the stream says ended unfilled."""
        for raw in rows:
            client_id = str(raw.get("clientOrderId"))
            known = self._broker.known_order(client_id)
            if known is None or client_id in self._done:
                continue
            self._end(order_from_ccxt(raw, known), sink)

    async def _emit(
        self, symbol: str, trades: Sequence[Mapping[str, Any]], sink: EventSink
    ) -> None:
        """Report the fills of ``trades`` not reported yet (by either path)."""
        for report in await self._broker.reports_of(symbol, trades):
            if report.trade_id is None or report.trade_id in self._seen:
                continue
            self._seen.add(report.trade_id)
            self._since[symbol] = max(self._since.get(symbol, 0), to_ms(report.ts))
            sink.report(report)

    def _end(self, order: Any, sink: EventSink) -> None:
        if order.status in _FINAL:
            self._done.add(order.client_order_id)
        if order.status in _ENDS:
            report = status_report(order, self._now())
            if report is not None:
                sink.report(report)

    async def _round(self, sink: EventSink) -> None:
        ex = self._broker.exchange
        for symbol in self._broker.symbols:
            since = self._since.setdefault(symbol, to_ms(self._now() - self._lookback))
            trades = await ex.fetch_my_trades(symbol, since, 1000)
            await self._emit(symbol, trades, sink)
            await self._ends(symbol, sink)

    async def _ends(self, symbol: str, sink: EventSink) -> None:
        """Report the end of each of this session's orders that left the open list without
        filling completely (asked once per order, when it is no longer open)."""
        ex = self._broker.exchange
        open_ids = {str(raw.get("clientOrderId")) for raw in await ex.fetch_open_orders(symbol)}
        for client_id in self._broker.session_orders(symbol) - open_ids - self._done:
            raw = await ex.fetch_order(None, symbol, {"clientOrderId": client_id})
            if client_id not in self._done:  # the stream may have reported it meanwhile
                self._end(order_from_ccxt(raw, self._broker.known_order(client_id)), sink)
