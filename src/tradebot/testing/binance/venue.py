"""A fake Binance spot venue on 127.0.0.1: the REST API as ccxt's ``binance`` class calls it,
and the kline streams ccxt.pro's ``binance.watch_ohlcv`` subscribes to (:mod:`.streams`).

Real clients (ccxt, or anything that speaks Binance) reach it by overriding their base URL
(:meth:`BinanceVenue.ccxt_urls`), so adapter tests exercise the SDK's own request signing,
parsing and error mapping with no network and no patching. It checks what Binance checks:
the ``X-MBX-APIKEY`` header, the HMAC-SHA256 ``signature`` of the query string plus body,
``timestamp`` against ``recvWindow``; and it answers with Binance's error shapes
(``{"code": -1022, "msg": ...}``). Faults (:class:`BinanceFaults`) make it misbehave the
way a venue does: a submit that is booked but answered 503, a 429 that books nothing, a
slow acknowledgement, partial fills.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import Any

from aiohttp import web

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.domain.bar import Bar
from tradebot.testing.binance.book import (
    Book,
    SymbolSpec,
    VenueError,
    VenueOrder,
    VenueTrade,
)
from tradebot.testing.binance.routes import public_routes, signed_routes
from tradebot.testing.binance.streams import KlineStreams
from tradebot.testing.binance.user_stream import UserStream

__all__ = ["BinanceFaults", "BinanceVenue", "SymbolSpec"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class BinanceFaults:
    """What the venue does wrong, set by a test at any time.

    ``submit_5xx_after_accept``/``submit_429`` count down: each affects that many of the
    next ``POST /api/v3/order``. ``ack_delay_s`` delays every order acknowledgement (an
    adapter's timeout fires first). ``partial_fills``: an order fills half on one kline
    and the rest on the next. ``refuse_streams``: websocket handshakes are answered 503
    (the stream endpoint is down; REST still answers)."""

    submit_5xx_after_accept: int = 0
    submit_429: int = 0
    ack_delay_s: float = 0.0
    partial_fills: bool = False
    refuse_streams: bool = False


DEFAULT_SPECS = (SymbolSpec("BTC", "USDT"), SymbolSpec("ETH", "USDT", step_size=Decimal("0.0001")))


class BinanceVenue:
    """The fake venue: ``start()``/``stop()`` or ``with BinanceVenue() as venue``."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        secret: str = "test-secret",
        specs: tuple[SymbolSpec, ...] = DEFAULT_SPECS,
        balances: dict[str, Decimal] | None = None,
        serve_forming: bool = True,
    ) -> None:
        self.api_key, self._secret = api_key, secret
        self.faults = BinanceFaults()
        self.serve_forming = serve_forming
        start = balances if balances is not None else {"USDT": Decimal(100_000)}
        self.book = Book(specs={s.id: s for s in specs}, balances=dict(start))
        self._submits: list[dict[str, str]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._streams = KlineStreams(self)
        self.user_stream = UserStream(self)
        self.port = 0

    def __repr__(self) -> str:
        return f"BinanceVenue(port={self.port})"  # never the secret

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> BinanceVenue:
        loop = asyncio.new_event_loop()
        self._loop = loop
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._open())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-binance", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Binance venue did not start")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> BinanceVenue:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ccxt_urls(self) -> dict[str, str]:
        """The ``urls['api']`` entries ccxt's ``binance`` needs for spot (public, private,
        v1, and sapi so a stray call lands here and is answered 404, not sent abroad)."""
        base = f"{self.url}/api"
        return {
            "public": f"{base}/v3",
            "private": f"{base}/v3",
            "v1": f"{base}/v1",
            "sapi": f"{self.url}/sapi/v1",
        }

    def ccxt_ws_urls(self) -> dict[str, Any]:
        """The ``urls['api']['ws']`` entries ccxt.pro's ``binance`` needs for spot market
        streams (it connects to ``<url>/<stream index>`` and subscribes there)."""
        base = f"ws://127.0.0.1:{self.port}/ws"
        return {"spot": base, "margin": base, "ws-api": {"spot": self.ws_api_url()}}

    def ws_api_url(self) -> str:
        """The WebSocket API (``/ws-api/v3``), where ccxt.pro subscribes to the user data
        stream (:mod:`.user_stream`)."""
        return f"ws://127.0.0.1:{self.port}/ws-api/v3"

    # -- test helpers ---------------------------------------------------------------------
    def publish_kline(
        self,
        symbol: str,
        bar: Bar,
        *,
        match: bool = True,
        forming_first: bool = False,
        stream: bool = True,
    ) -> None:
        """Append a closed kline for ``symbol`` (``BTCUSDT``), match open orders on it
        (``match=False``: the orders were matched on it already, by :meth:`match_kline`),
        then push it closed (``"x": true``) to its stream's subscribers; ``forming_first``
        pushes an update of the same candle still forming before it; ``stream=False``
        pushes nothing (a kline only REST serves: one a client missed while it was away)."""
        self.book.partial_fills = self.faults.partial_fills
        self.book.publish(symbol, bar, match=match)
        self.announce()
        if not stream:
            return
        if forming_first:
            self.push_kline(symbol, bar, closed=False)
        self.push_kline(symbol, bar, closed=True)

    def push_kline(self, symbol: str, bar: Bar, *, closed: bool) -> int:
        """Push ``bar`` as a kline event to its stream's subscribers only (not served by
        ``/klines``, no matching): how many connections got it. Returns once sent."""
        loop = self._loop
        if loop is None:
            return 0
        pushed = self._streams.kline(symbol, bar, closed=closed)
        return asyncio.run_coroutine_threadsafe(pushed, loop).result(10)

    def drop_streams(self, *, abrupt: bool = False) -> int:
        """Close every websocket stream connection (a close frame, or ``abrupt``: the TCP
        connection cut with none); how many there were. Clients must reconnect."""
        loop = self._loop
        if loop is None:
            return 0
        dropped = self._streams.drop_all(abrupt=abrupt)
        return asyncio.run_coroutine_threadsafe(dropped, loop).result(10)

    def stream_subscriptions(self) -> list[str]:
        """Every subscribed stream name (``btcusdt@kline_1m``), once per connection."""
        loop = self._loop
        if loop is None:
            return []

        async def read() -> list[str]:
            return self._streams.subscriptions()

        return asyncio.run_coroutine_threadsafe(read(), loop).result(10)

    def match_kline(self, symbol: str, bar: Bar) -> None:
        """Match the open orders of ``symbol`` on ``bar`` without serving it as a kline yet:
        a paced rehearsal lets the session take a bar's fills before it sees the bar."""
        self.book.partial_fills = self.faults.partial_fills
        self.book.match(symbol, bar)
        self.announce()

    def announce(self) -> int:
        """Push the user data stream's events for every change of the book since the last
        announcement (the venue does so after each change it makes); how many events."""
        loop = self._loop
        if loop is None:
            return 0
        pushed = self.announce_async()
        return asyncio.run_coroutine_threadsafe(pushed, loop).result(10)

    async def announce_async(self) -> int:
        """:meth:`announce` on the venue's own loop (its request handlers)."""
        return await self.user_stream.announce(self._streams.listen_key_sockets())

    def drop_user_streams(self, *, abrupt: bool = False) -> int:
        """Close every user data stream session (WebSocket API); how many there were."""
        loop = self._loop
        if loop is None:
            return 0
        dropped = self.user_stream.drop_all(abrupt=abrupt)
        return asyncio.run_coroutine_threadsafe(dropped, loop).result(10)

    def user_subscribers(self) -> int:
        """How many WebSocket API sessions are subscribed to the user data stream."""
        loop = self._loop
        if loop is None:
            return 0

        async def read() -> int:
            return self.user_stream.subscribers()

        return asyncio.run_coroutine_threadsafe(read(), loop).result(10)

    def secret_for_signing(self) -> str:
        """The API secret, for the user stream's signature check (never logged)."""
        return self._secret

    def orders(self) -> list[VenueOrder]:
        with self.book.lock:
            return list(self.book.orders)

    def trades(self) -> list[VenueTrade]:
        with self.book.lock:
            return list(self.book.trades)

    def balances(self) -> dict[str, Decimal]:
        with self.book.lock:
            return dict(self.book.balances)

    def submits(self) -> list[dict[str, str]]:
        """Every ``POST /api/v3/order`` that passed authentication, as its parameters."""
        with self.book.lock:
            return list(self._submits)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Poll ``predicate`` until it holds or ``timeout`` seconds pass (no fixed sleep)."""
        deadline = monotonic() + timeout
        done = threading.Event()
        while not predicate():
            if monotonic() >= deadline:
                return False
            done.wait(0.01)
        return True

    def now_ms(self) -> int:
        return int(utc_now().timestamp() * 1000)

    # -- server ---------------------------------------------------------------------------
    async def _open(self) -> None:
        app = web.Application(middlewares=[self._errors])
        for method, path, handler in public_routes(self):
            app.router.add_route(method, path, handler)
        for method, path, handler in signed_routes(self):
            app.router.add_route(method, path, self._signed(handler))
        for method, path, handler in self._streams.routes():
            app.router.add_route(method, path, handler)
        for method, path, handler in self.user_stream.routes():
            app.router.add_route(method, path, handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _close(self) -> None:
        await self._streams.drop_all(abrupt=False)
        await self.user_stream.drop_all(abrupt=False)
        if self._runner is not None:
            await self._runner.cleanup()

    @web.middleware
    async def _errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except VenueError as err:
            return error_reply(err.status, err.code, err.msg)

    def _signed(
        self, handler: Callable[[web.Request, dict[str, str]], Awaitable[web.StreamResponse]]
    ) -> Handler:
        async def run(request: web.Request) -> web.StreamResponse:
            params = await self._authenticate(request)
            return await handler(request, params)

        return run

    async def _authenticate(self, request: web.Request) -> dict[str, str]:
        """Binance's checks, in its order: API key, signature, timestamp window."""
        if request.headers.get("X-MBX-APIKEY") != self.api_key:
            raise VenueError(401, -2015, "Invalid API-key, IP, or permissions for action.")
        body = await request.text()
        query = request.query_string
        payload, signature = _strip_signature(query)
        body_payload, body_signature = _strip_signature(body)
        signature = signature or body_signature
        total = payload + body_payload
        expected = hmac.new(self._secret.encode(), total.encode(), hashlib.sha256).hexdigest()
        if not signature or not hmac.compare_digest(signature, expected):
            raise VenueError(400, -1022, "Signature for this request is not valid.")
        params = {k: v for k, v in request.query.items()}
        params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        params.pop("signature", None)
        try:
            stamp, window = int(params.get("timestamp", "")), int(params.get("recvWindow", 5000))
        except ValueError:
            raise VenueError(400, -1102, "Mandatory parameter 'timestamp' was not sent.") from None
        now = self.now_ms()
        if stamp > now + 1000:
            raise VenueError(
                400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."
            )
        if now - stamp > window:
            raise VenueError(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        return params

    def record_submit(self, params: dict[str, str]) -> None:
        with self.book.lock:
            self._submits.append(dict(params))


def error_reply(
    status: int, code: int, msg: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status, headers=headers)


def _strip_signature(text: str) -> tuple[str, str]:
    """``text`` without its ``signature=`` parameter (which must come last), and the
    signature."""
    marker = "signature="
    at = text.rfind(marker)
    if at < 0 or (at > 0 and text[at - 1] != "&"):
        return text, ""
    return text[: max(at - 1, 0)], text[at + len(marker) :]
