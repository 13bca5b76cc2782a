"""The fake venue's user data stream: ``executionReport`` events for the account's orders,
as Binance spot serves them and ccxt.pro's ``binance.watch_orders``/``watch_my_trades``
read them.

Two ways in, as Binance has them:

- the WebSocket API ``/ws-api/v3`` (what ccxt.pro 4.5 uses for spot): the client sends
  ``{"id", "method": "userDataStream.subscribe.signature", "params": {"apiKey",
  "timestamp", "signature"}}`` (HMAC-SHA256 of the key-sorted params), is answered
  ``{"id", "status": 200, "result": {"subscriptionId": n}}``, and then receives
  ``{"subscriptionId": n, "event": {"e": "executionReport", ...}}``;
- the older listenKey stream: ``POST /api/v3/userDataStream`` (API key header only)
  answers ``{"listenKey": ...}``, ``PUT`` keeps it alive, ``DELETE`` closes it, and
  ``/ws/<listenKey>`` (served by :mod:`.streams`) receives the bare events.

Events are found by comparing the book with what was last announced
(:meth:`UserStream.announce`, called after every change the venue makes): a new order
(``x: NEW``), each trade (``x: TRADE``, with ``t`` the same trade id ``myTrades``
serves), and an order that ended without a trade (``CANCELED``, ``EXPIRED``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tradebot.testing.binance.book import VenueError, VenueOrder, VenueTrade

if TYPE_CHECKING:
    from tradebot.testing.binance.venue import BinanceVenue

__all__ = ["UserStream", "execution_report"]

_ZERO = Decimal(0)


def execution_report(
    order: VenueOrder,
    *,
    event_ms: int,
    execution: str,
    status: str,
    cumulative: Decimal,
    trade: VenueTrade | None = None,
) -> dict[str, Any]:
    """An ``executionReport`` event of ``order`` (Binance's field names)."""
    return {
        "e": "executionReport",
        "E": event_ms,
        "s": order.symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": f"{order.orig_qty:f}",
        "p": f"{order.price:f}",
        "P": "0.00000000",
        "F": "0.00000000",
        "g": -1,
        "C": "",
        "x": execution,
        "X": status,
        "r": "NONE",
        "i": order.order_id,
        "l": f"{trade.qty:f}" if trade else "0.00000000",
        "z": f"{cumulative:f}",
        "L": f"{trade.price:f}" if trade else "0.00000000",
        "n": f"{trade.commission:f}" if trade else "0",
        "N": trade.commission_asset if trade else None,
        "T": trade.time_ms if trade else (order.update_ms or order.time_ms),
        "t": trade.id if trade else -1,
        "I": 1,
        "w": status in ("NEW", "PARTIALLY_FILLED"),
        "m": False,
        "M": False,
        "O": order.time_ms,
        "Z": f"{(trade.price * cumulative) if trade else _ZERO:f}",
        "Y": f"{(trade.price * trade.qty) if trade else _ZERO:f}",
        "Q": "0.00000000",
        "W": order.time_ms,
        "V": "EXPIRE_MAKER",
    }


@dataclass(eq=False)
class _Session:
    ws: web.WebSocketResponse
    request: web.Request
    subscription: int | None = None


class UserStream:
    """Who listens to the account's events, and what was announced (venue loop only)."""

    def __init__(self, venue: BinanceVenue) -> None:
        self._venue = venue
        self._sessions: set[_Session] = set()
        self._next_id = 0
        self.listen_keys: set[str] = set()
        self._orders: dict[int, str] = {}
        """Order id → the last status announced."""
        self._trades = 0
        """How many of the book's trades were announced."""

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/ws-api/v3", self.ws_api),
            ("POST", "/api/v3/userDataStream", self.new_key),
            ("PUT", "/api/v3/userDataStream", self.keep_key),
            ("DELETE", "/api/v3/userDataStream", self.close_key),
        ]

    def subscribers(self) -> int:
        return sum(1 for s in self._sessions if s.subscription is not None)

    # -- listenKey REST ---------------------------------------------------------------------

    def _keyed(self, request: web.Request) -> None:
        if request.headers.get("X-MBX-APIKEY") != self._venue.api_key:
            raise VenueError(401, -2015, "Invalid API-key, IP, or permissions for action.")

    async def new_key(self, request: web.Request) -> web.Response:
        self._keyed(request)
        key = secrets.token_hex(30)
        self.listen_keys.add(key)
        return web.json_response({"listenKey": key})

    async def keep_key(self, request: web.Request) -> web.Response:
        self._keyed(request)
        params = dict(request.query)
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        if params.get("listenKey") not in self.listen_keys:
            raise VenueError(400, -1125, "This listenKey does not exist.")
        return web.json_response({})

    async def close_key(self, request: web.Request) -> web.Response:
        await self.keep_key(request)
        self.listen_keys.discard(request.query.get("listenKey", ""))
        return web.json_response({})

    # -- WebSocket API ----------------------------------------------------------------------

    async def ws_api(self, request: web.Request) -> web.StreamResponse:
        if self._venue.faults.refuse_streams:
            return web.Response(status=503, text="Service Unavailable")
        ws = web.WebSocketResponse(heartbeat=None, autoping=True)
        await ws.prepare(request)
        session = _Session(ws=ws, request=request)
        self._sessions.add(session)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._answer(session, msg.data)
        finally:
            self._sessions.discard(session)
        return ws

    async def _answer(self, session: _Session, text: str) -> None:
        try:
            request = json.loads(text)
            ident, method = request.get("id"), request.get("method")
            params = request.get("params") or {}
        except (ValueError, AttributeError):
            await self._send(session, {"id": None, "status": 400, "error": _error(-1100)})
            return
        if method == "userDataStream.subscribe.signature":
            try:
                self._check_signature(dict(params))
            except VenueError as err:
                error = {"code": err.code, "msg": err.msg}
                await self._send(session, {"id": ident, "status": err.status, "error": error})
                return
            session.subscription = self._next_id
            self._next_id += 1
            result = {"subscriptionId": session.subscription}
            await self._send(session, {"id": ident, "status": 200, "result": result})
        elif method == "userDataStream.unsubscribe":
            session.subscription = None
            await self._send(session, {"id": ident, "status": 200, "result": {}})
        else:
            await self._send(session, {"id": ident, "status": 400, "error": _error(-1100)})

    def _check_signature(self, params: dict[str, Any]) -> None:
        """Binance's checks for a signed WebSocket API request: key, signature, window."""
        if params.get("apiKey") != self._venue.api_key:
            raise VenueError(401, -2015, "Invalid API-key, IP, or permissions for action.")
        signature = str(params.pop("signature", ""))
        payload = "&".join(f"{k}={params[k]}" for k in sorted(params))
        secret = self._venue.secret_for_signing()
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(signature, expected):
            raise VenueError(400, -1022, "Signature for this request is not valid.")
        try:
            stamp = int(params.get("timestamp", ""))
        except ValueError:
            raise VenueError(400, -1102, "Mandatory parameter 'timestamp' was not sent.") from None
        if abs(self._venue.now_ms() - stamp) > int(params.get("recvWindow", 5000)):
            raise VenueError(400, -1021, "Timestamp for this request is outside of the recvWindow.")

    # -- events -----------------------------------------------------------------------------

    def changes(self) -> list[dict[str, Any]]:
        """The events the book's changes since the last call call for (under its lock)."""
        book, now = self._venue.book, self._venue.now_ms()
        events: list[dict[str, Any]] = []
        with book.lock:
            orders = {o.order_id: o for o in book.orders}
            fresh_trades = book.trades[self._trades :]
            self._trades = len(book.trades)
            for order in book.orders:
                if order.order_id not in self._orders:
                    events.append(_event(order, now, "NEW", "NEW", _ZERO))
                    self._orders[order.order_id] = "NEW"
            for trade in fresh_trades:
                order = orders[trade.order_id]
                done = sum(
                    (
                        t.qty
                        for t in book.trades
                        if t.order_id == order.order_id and t.id <= trade.id
                    ),
                    _ZERO,
                )
                status = "FILLED" if done >= order.orig_qty else "PARTIALLY_FILLED"
                events.append(_event(order, now, "TRADE", status, done, trade))
                self._orders[order.order_id] = status
            for order in book.orders:
                if order.status != self._orders[order.order_id] and order.status in (
                    "CANCELED",
                    "EXPIRED",
                    "REJECTED",
                ):
                    events.append(
                        _event(order, now, order.status, order.status, order.executed_qty)
                    )
                    self._orders[order.order_id] = order.status
        return events

    async def announce(self, extra: list[web.WebSocketResponse] | None = None) -> int:
        """Push every event the book's changes call for to every subscriber (and to the
        listenKey connections in ``extra``); how many events."""
        events = self.changes()
        for event in events:
            for session in [s for s in self._sessions if s.subscription is not None]:
                await self._send(session, {"subscriptionId": session.subscription, "event": event})
            for ws in extra or []:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await ws.send_str(json.dumps(event))
        return len(events)

    async def _send(self, session: _Session, message: Any) -> None:
        try:
            await session.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError):
            self._sessions.discard(session)

    async def drop_all(self, *, abrupt: bool) -> int:
        """Close every WebSocket API session (a close frame, or the TCP connection cut)."""
        sessions = list(self._sessions)
        self._sessions.clear()
        for session in sessions:
            if abrupt:
                transport = session.request.transport
                if transport is not None:
                    transport.close()
            else:
                with contextlib.suppress(Exception):
                    await session.ws.close(code=1001, message=b"going away")
        return len(sessions)


def _event(
    order: VenueOrder,
    now: int,
    execution: str,
    status: str,
    cumulative: Decimal,
    trade: VenueTrade | None = None,
) -> dict[str, Any]:
    return execution_report(
        order, event_ms=now, execution=execution, status=status, cumulative=cumulative, trade=trade
    )


def _error(code: int) -> dict[str, Any]:
    return {"code": code, "msg": "Malformed request."}
