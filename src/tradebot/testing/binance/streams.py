"""The fake venue's websocket market streams, as Binance spot serves them and ccxt.pro's
``binance.watch_ohlcv`` uses them.

Endpoints (Binance's layout under ``wss://stream.binance.com:9443``):

- raw ``/ws`` and ``/ws/<name>``: a name that is a stream (``btcusdt@kline_1m``) is
  subscribed at connect; any other (ccxt.pro connects to ``/ws/0``, its stream index) is
  only a label. Events arrive bare: ``{"e": "kline", ...}``.
- combined ``/stream?streams=a/b``: events arrive wrapped, ``{"stream": name, "data": ...}``.

On either, the live-subscription methods work as Binance documents them:
``{"method": "SUBSCRIBE", "params": ["btcusdt@kline_1m"], "id": 1}`` → ``{"result": null,
"id": 1}``; ``UNSUBSCRIBE`` likewise; ``LIST_SUBSCRIPTIONS`` → ``{"result": [...], "id"}``;
anything else → ``{"code": 2, "msg": ..., "id"}``. A kline event::

    {"e": "kline", "E": <event ms>, "s": "BTCUSDT",
     "k": {"t": <open ms>, "T": <close ms - 1>, "s": "BTCUSDT", "i": "1m", "f", "L",
           "o", "c", "h", "l", "v", "n", "x": <closed?>, "q", "V", "Q", "B"}}

The server answers pings (aiohttp's autoping), so ccxt's keep-alive holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tradebot.domain.bar import Bar

if TYPE_CHECKING:
    from tradebot.testing.binance.venue import BinanceVenue

__all__ = ["KlineStreams", "kline_event", "stream_name"]

_USER = "user:"
"""Marks a listenKey connection's stream (never a market stream's name)."""


def stream_name(symbol: str, interval: str) -> str:
    """Binance's name of a kline stream: ``btcusdt@kline_1m``."""
    return f"{symbol.lower()}@kline_{interval}"


def kline_event(symbol: str, bar: Bar, *, closed: bool, event_ms: int) -> dict[str, Any]:
    """``bar`` (labelled by its close) as a kline event; ``closed`` False makes it an update
    of the candle still forming: its open everywhere, half the volume, ``"x": false``."""
    span_ms = bar.timeframe.seconds * 1000
    open_ms = int((bar.ts - timedelta(seconds=bar.timeframe.seconds)).timestamp() * 1000)
    if closed:
        o, h, low, c, v = bar.open, bar.high, bar.low, bar.close, bar.volume
    else:
        o = h = low = c = bar.open
        v = bar.volume / 2
    return {
        "e": "kline",
        "E": event_ms,
        "s": symbol,
        "k": {
            "t": open_ms,
            "T": open_ms + span_ms - 1,
            "s": symbol,
            "i": bar.timeframe.value,
            "f": 100,
            "L": 200,
            "o": repr(o),
            "c": repr(c),
            "h": repr(h),
            "l": repr(low),
            "v": repr(v),
            "n": 101,
            "x": closed,
            "q": repr(v * c),
            "V": "0",
            "Q": "0",
            "B": "0",
        },
    }


@dataclass(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    combined: bool
    streams: set[str] = field(default_factory=set)


class KlineStreams:
    """Every open stream connection and what it subscribed to (the venue's loop only)."""

    def __init__(self, venue: BinanceVenue) -> None:
        self._venue = venue
        self._conns: set[_Conn] = set()

    def subscriptions(self) -> list[str]:
        """Every subscribed stream name, once per connection that holds it."""
        return sorted(name for conn in self._conns for name in conn.streams)

    def listen_key_sockets(self) -> list[web.WebSocketResponse]:
        """The connections opened on a listenKey (``/ws/<listenKey>``): the user data
        stream's bare events go there (:mod:`.user_stream`)."""
        return [c.ws for c in self._conns if any(n.startswith(_USER) for n in c.streams)]

    def routes(self) -> list[tuple[str, str, Any]]:
        return [
            ("GET", "/ws", self.raw),
            ("GET", "/ws/{name}", self.raw),
            ("GET", "/stream", self.combined),
        ]

    # -- handlers --------------------------------------------------------------------------

    async def raw(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info.get("name", "")
        if name in self._venue.user_stream.listen_keys:  # a listenKey's user data stream
            return await self._serve(request, combined=False, initial=[_USER + name])
        return await self._serve(request, combined=False, initial=[name] if "@" in name else [])

    async def combined(self, request: web.Request) -> web.StreamResponse:
        names = [n for n in request.query.get("streams", "").split("/") if n]
        return await self._serve(request, combined=True, initial=names)

    async def _serve(
        self, request: web.Request, *, combined: bool, initial: list[str]
    ) -> web.StreamResponse:
        if self._venue.faults.refuse_streams:
            return web.Response(status=503, text="Service Unavailable")
        ws = web.WebSocketResponse(heartbeat=None, autoping=True)
        await ws.prepare(request)
        conn = _Conn(ws=ws, request=request, combined=combined, streams=set(initial))
        self._conns.add(conn)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._answer(conn, msg.data)
        finally:
            self._conns.discard(conn)
        return ws

    async def _answer(self, conn: _Conn, text: str) -> None:
        try:
            request = json.loads(text)
            method, ident = request.get("method"), request.get("id")
            params = request.get("params") or []
        except (ValueError, AttributeError):
            await self._send(conn, {"code": 3, "msg": "Invalid JSON"})
            return
        if method == "SUBSCRIBE":
            conn.streams |= {str(p) for p in params}
            await self._send(conn, {"result": None, "id": ident})
        elif method == "UNSUBSCRIBE":
            conn.streams -= {str(p) for p in params}
            await self._send(conn, {"result": None, "id": ident})
        elif method == "LIST_SUBSCRIPTIONS":
            await self._send(conn, {"result": sorted(conn.streams), "id": ident})
        else:
            await self._send(conn, {"code": 2, "msg": f"Invalid request: {method}", "id": ident})

    # -- sending ---------------------------------------------------------------------------

    async def _send(self, conn: _Conn, message: Any) -> None:
        try:
            await conn.ws.send_str(json.dumps(message))
        except (ConnectionError, RuntimeError):
            self._conns.discard(conn)

    async def kline(self, symbol: str, bar: Bar, *, closed: bool) -> int:
        """Push ``bar`` to every connection subscribed to its stream; how many got it."""
        name = stream_name(symbol, bar.timeframe.value)
        event = kline_event(symbol, bar, closed=closed, event_ms=self._venue.now_ms())
        sent = 0
        for conn in [c for c in self._conns if name in c.streams]:
            await self._send(conn, {"stream": name, "data": event} if conn.combined else event)
            sent += 1
        return sent

    async def drop_all(self, *, abrupt: bool) -> int:
        """Close every connection: with a close frame (1001, going away, as Binance does at
        its 24-hour limit), or ``abrupt``ly by cutting the TCP connection."""
        conns = list(self._conns)
        self._conns.clear()
        for conn in conns:
            if abrupt:
                transport = conn.request.transport
                if transport is not None:
                    transport.close()
            else:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.ws.close(code=1001, message=b"going away"), 1.0)
        return len(conns)
