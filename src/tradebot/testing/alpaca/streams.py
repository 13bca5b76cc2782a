"""The websockets: trade_updates (``/stream``) and market data (``/v2/{feed}`` bars,
``/v1beta1/news``), with Alpaca's handshakes and message shapes.

- trading stream: JSON in **binary** frames (as Alpaca's paper stream sends them).
  ``{"action": "authenticate", "data": {"key_id", "secret_key"}}`` →
  ``{"stream": "authorization", "data": {"action": "authenticate", "status":
  "authorized"}}`` (or ``"unauthorized"``, then the socket closes);
  ``{"action": "listen", "data": {"streams": ["trade_updates"]}}`` →
  ``{"stream": "listening", "data": {"streams": [...]}}``; then
  ``{"stream": "trade_updates", "data": {...}}``.
- market data: a list of messages per frame, msgpack when the client connected with
  ``Content-Type: application/msgpack`` (alpaca-py does), JSON text otherwise.
  ``[{"T": "success", "msg": "connected"}]`` on connect; ``{"action": "auth", "key",
  "secret"}`` → ``[{"T": "success", "msg": "authenticated"}]`` or
  ``[{"T": "error", "code": 402, "msg": "auth failed"}]`` (then closed); ``subscribe`` →
  ``[{"T": "subscription", ...}]``; bars ``{"T": "b", "S", "o", "h", "l", "c", "v", "t",
  "n", "vw"}`` with ``t`` the bar's **start**; news ``{"T": "n", ...}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgpack  # type: ignore[import-untyped]
from aiohttp import WSMsgType, web

from tradebot.domain.bar import Bar
from tradebot.testing.alpaca.shapes import bar_json, bar_start, rfc3339

if TYPE_CHECKING:
    from tradebot.testing.alpaca.market import NewsItem
    from tradebot.testing.alpaca.venue import AlpacaVenue

__all__ = ["Streams"]

_STOCK_CHANNELS = (
    "trades",
    "quotes",
    "bars",
    "updatedBars",
    "dailyBars",
    "statuses",
    "lulds",
    "corrections",
    "cancelErrors",
)


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    kind: str  # "trading" | "data" | "news"
    binary: bool = True
    authed: bool = False
    listening: bool = False
    subs: dict[str, set[str]] = field(default_factory=dict)


class Streams:
    def __init__(self, venue: AlpacaVenue) -> None:
        self._venue = venue
        self._conns: set[_Conn] = set()

    def listening(self) -> int:
        return sum(1 for c in self._conns if c.kind == "trading" and c.listening)

    def bar_subscribers(self, symbol: str) -> int:
        return sum(1 for c in self._conns if c.subs.get("bars", set()) & {symbol, "*"})

    # -- handlers --------------------------------------------------------------------------

    async def trading(self, request: web.Request) -> web.WebSocketResponse:
        conn = await self._accept(request, "trading")
        async for msg in conn.ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            try:
                data = json.loads(msg.data)
                action = data.get("action")
            except (ValueError, AttributeError):
                await self._send(conn, {"stream": "error", "data": {"error": "invalid syntax"}})
                continue
            if action in ("authenticate", "auth"):
                inner = data.get("data") or {}
                key = inner.get("key_id", data.get("key"))
                secret = inner.get("secret_key", data.get("secret"))
                conn.authed = self._venue.credentials_ok(key, secret)
                status = "authorized" if conn.authed else "unauthorized"
                reply = {"action": "authenticate", "status": status}
                await self._send(conn, {"stream": "authorization", "data": reply})
                if not conn.authed:
                    self._venue.auth_failures += 1
                    break
            elif action == "listen" and conn.authed:
                wanted = list((data.get("data") or {}).get("streams") or [])
                conn.listening = "trade_updates" in wanted
                streams = ["trade_updates"] if conn.listening else []
                await self._send(conn, {"stream": "listening", "data": {"streams": streams}})
            else:
                reply = {"action": str(action), "status": "unauthorized"}
                await self._send(conn, {"stream": "authorization", "data": reply})
        return await self._finish(conn)

    async def data(self, request: web.Request, kind: str) -> web.WebSocketResponse:
        conn = await self._accept(request, kind)
        conn.binary = request.headers.get("Content-Type", "") == "application/msgpack"
        await self._send(conn, [{"T": "success", "msg": "connected"}])
        async for msg in conn.ws:
            if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                continue
            try:
                data = msgpack.unpackb(msg.data) if msg.type == WSMsgType.BINARY else None
                data = data if data is not None else json.loads(msg.data)
                action = data.get("action")
            except (ValueError, AttributeError, msgpack.ExtraData):
                await self._send(conn, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
                continue
            if action == "auth":
                conn.authed = self._venue.credentials_ok(data.get("key"), data.get("secret"))
                if not conn.authed:
                    self._venue.auth_failures += 1
                    await self._send(conn, [{"T": "error", "code": 402, "msg": "auth failed"}])
                    break
                await self._send(conn, [{"T": "success", "msg": "authenticated"}])
            elif not conn.authed:
                await self._send(conn, [{"T": "error", "code": 401, "msg": "not authenticated"}])
            elif action in ("subscribe", "unsubscribe"):
                self._subscribe(conn, data, add=action == "subscribe")
                await self._send(conn, [self._subscription(conn)])
            else:
                await self._send(conn, [{"T": "error", "code": 400, "msg": "invalid syntax"}])
        return await self._finish(conn)

    async def _accept(self, request: web.Request, kind: str) -> _Conn:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        conn = _Conn(ws=ws, request=request, kind=kind)
        self._conns.add(conn)
        return conn

    async def _finish(self, conn: _Conn) -> web.WebSocketResponse:
        self._conns.discard(conn)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(conn.ws.close(), 1.0)
        return conn.ws

    def _channels(self, conn: _Conn) -> tuple[str, ...]:
        return ("news",) if conn.kind == "news" else _STOCK_CHANNELS

    def _subscribe(self, conn: _Conn, data: dict[str, Any], *, add: bool) -> None:
        for channel in self._channels(conn):
            symbols = set(data.get(channel) or [])
            current = conn.subs.setdefault(channel, set())
            conn.subs[channel] = current | symbols if add else current - symbols

    def _subscription(self, conn: _Conn) -> dict[str, Any]:
        channels = {c: sorted(conn.subs.get(c, set())) for c in self._channels(conn)}
        return {"T": "subscription", **channels}

    # -- sending ---------------------------------------------------------------------------

    async def _send(self, conn: _Conn, message: Any) -> None:
        try:
            if conn.kind == "trading":
                await conn.ws.send_bytes(json.dumps(message).encode())
            elif conn.binary:
                await conn.ws.send_bytes(msgpack.packb(message, datetime=False))
            else:
                await conn.ws.send_str(json.dumps(message, default=_json_default))
        except (ConnectionError, RuntimeError):
            self._conns.discard(conn)

    async def trade_update(self, event: dict[str, Any]) -> None:
        for conn in [c for c in self._conns if c.kind == "trading" and c.listening]:
            await self._send(conn, {"stream": "trade_updates", "data": event})

    async def bar(self, bar: Bar) -> None:
        for conn in [c for c in self._conns if c.kind == "data"]:
            if conn.subs.get("bars", set()) & {bar.symbol, "*"}:
                message = {"T": "b", "S": bar.symbol, **bar_json(bar)}
                message["t"] = _stamp(conn, bar_start(bar))
                await self._send(conn, [message])

    async def news(self, item: NewsItem) -> None:
        for conn in [c for c in self._conns if c.kind == "news"]:
            if conn.subs.get("news", set()) & {*item.symbols, "*"}:
                message = {"T": "n", **item.json()}
                message["created_at"] = _stamp(conn, item.created_at)
                message["updated_at"] = _stamp(conn, item.created_at)
                await self._send(conn, [message])

    async def drop_trading(self) -> None:
        for conn in [c for c in self._conns if c.kind == "trading"]:
            self._drop(conn)

    async def drop_all(self) -> None:
        for conn in list(self._conns):
            self._drop(conn)

    def _drop(self, conn: _Conn) -> None:
        """Cut the TCP connection without a close frame, as a network failure would."""
        self._conns.discard(conn)
        transport = conn.request.transport
        if transport is not None:
            transport.close()

    async def close_all(self) -> None:
        for conn in list(self._conns):
            await self._finish(conn)


def _stamp(conn: _Conn, ts: datetime) -> Any:
    """A timestamp as the stream encodes it: a msgpack Timestamp, or RFC 3339 in JSON."""
    return msgpack.Timestamp.from_datetime(ts) if conn.binary else rfc3339(ts)


def _json_default(value: object) -> object:
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
