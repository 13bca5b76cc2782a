"""``AlpacaVenue``: the fake's server, its thread and the methods a test calls.

One asyncio loop on a daemon thread serves REST and the three websockets on one ephemeral
port of 127.0.0.1 (aiohttp). All venue state lives on that loop: a test's calls
(``publish_bar``, ``orders``, ...) run there through ``run_coroutine_threadsafe``, so the
state needs no lock. trade_updates events go through one queue and one pump task, so they
leave in the order they happened, with the stream faults applied on the way out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.domain.bar import Bar
from tradebot.testing.alpaca.book import Book, Event
from tradebot.testing.alpaca.faults import Faults
from tradebot.testing.alpaca.market import MarketData, NewsItem
from tradebot.testing.alpaca.streams import Streams
from tradebot.testing.alpaca.trading import TradingApi

__all__ = ["AlpacaVenue"]

T = TypeVar("T")
DEFAULT_ASSETS = ("AAPL", "MSFT", "AMZN", "GOOGL", "NVDA", "TSLA", "META", "SPY")
_CALL_TIMEOUT_S = 10.0


class AlpacaVenue:
    """Alpaca on 127.0.0.1: REST (trading API v2 + market data v2 bars + news), the trading
    websocket (trade_updates) and the market-data websockets (bars, news), one small
    matching engine. See the package README for what it speaks and its faults."""

    def __init__(
        self,
        *,
        key_id: str = "PKTEST",
        secret_key: str = "test-secret",
        cash: Decimal = Decimal(100_000),
        assets: Sequence[str] = DEFAULT_ASSETS,
        fractionable: bool = True,
        now: Callable[[], datetime] | None = None,
        max_page_size: int = 10_000,
        tick_prices: bool = True,
    ) -> None:
        """``tick_prices`` False fills at the bars' own prices, unrounded (a rehearsal
        that compares the session with the simulated venue, which does the same)."""
        self.key_id = key_id
        self._secret_key = secret_key
        self.assets: dict[str, bool] = {symbol: fractionable for symbol in assets}
        self.now: Callable[[], datetime] = now or utc_now
        self.faults = Faults()
        self.book = Book(cash=Decimal(cash), now=self.now)
        if not tick_prices:
            self.book.price_of = _exact
        self.max_page_size = max_page_size
        self.history: list[Bar] = []
        self.news: list[NewsItem] = []
        self.submit_count = 0
        self.auth_failures = 0
        self.request_log: list[tuple[str, str, dict[str, str]]] = []
        self.streams = Streams(self)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._events: asyncio.Queue[list[Event]] | None = None
        self._pump: asyncio.Task[None] | None = None
        self.base_url = self.trading_stream_url = self.data_stream_url = ""
        self.news_stream_url = ""

    def __repr__(self) -> str:  # never the secret
        return f"AlpacaVenue(key_id={self.key_id!r}, base_url={self.base_url!r})"

    def credentials_ok(self, key: object, secret: object) -> bool:
        return key == self.key_id and secret == self._secret_key

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> AlpacaVenue:
        """Serve on an ephemeral port in a daemon thread; returns once it listens."""
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._serve, args=(ready, failure), name="fake-alpaca", daemon=True
        )
        self._thread.start()
        if not ready.wait(_CALL_TIMEOUT_S) or failure:
            raise RuntimeError(f"the fake Alpaca venue did not start: {failure}")
        return self

    def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            port = loop.run_until_complete(self._open())
        except BaseException as exc:  # reported to start()
            failure.append(exc)
            ready.set()
            return
        root = f"127.0.0.1:{port}"
        self.base_url = f"http://{root}"
        self.trading_stream_url = f"ws://{root}/stream"
        self.data_stream_url = f"ws://{root}/v2/iex"
        self.news_stream_url = f"ws://{root}/v1beta1/news"
        ready.set()
        loop.run_forever()
        loop.run_until_complete(self._close())
        loop.close()

    async def _open(self) -> int:
        app = web.Application(middlewares=[self._gate])
        TradingApi(self).install(app)
        MarketData(self).install(app)
        self._events = asyncio.Queue()
        self._pump = asyncio.get_running_loop().create_task(self._deliver())
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return int(self._runner.addresses[0][1])

    async def _close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        await self.streams.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        """Close every connection and the server; join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(_CALL_TIMEOUT_S)

    def __enter__(self) -> AlpacaVenue:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @web.middleware
    async def _gate(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        """Record every request; REST needs Alpaca's key headers (websockets authenticate
        with a message instead)."""
        self.request_log.append((request.method, request.path, dict(request.query)))
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if not upgrade and not self.credentials_ok(
            request.headers.get("APCA-API-KEY-ID"), request.headers.get("APCA-API-SECRET-KEY")
        ):
            self.auth_failures += 1
            return web.json_response(
                {"code": 40110000, "message": "request is not authorized"}, status=401
            )
        response: web.StreamResponse = await handler(request)
        return response

    # -- trade_updates ---------------------------------------------------------------------

    def emit(self, events: list[Event]) -> None:
        """Queue one order's events for trade_updates (called on the loop)."""
        if events and self._events is not None:
            self._events.put_nowait(events)

    async def _deliver(self) -> None:
        assert self._events is not None
        while True:
            group = await self._events.get()
            faults = self.faults
            kinds = [e["event"] for e in group]
            if faults.reorder_events and kinds[-2:] == ["partial_fill", "fill"]:
                group = [*group[:-2], group[-1], group[-2]]
            drop = "fill" in kinds and faults.drop_stream_mid_fill > 0
            if drop:
                faults.drop_stream_mid_fill -= 1
            for event in group:
                if drop and event["event"] == "fill":
                    await self.streams.drop_trading()
                    continue
                for _ in range(2 if faults.duplicate_events else 1):
                    await self.streams.trade_update(event)

    # -- what a test calls (from its own thread) -------------------------------------------

    def call(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the venue's loop and return its result."""

        async def run() -> T:
            return work()

        return self.run(run())

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        if self._loop is None:
            coro.close()
            raise RuntimeError("the fake Alpaca venue is not started")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(_CALL_TIMEOUT_S)

    def add_history(self, bars: Iterable[Bar]) -> None:
        """Bars that GET /v2/stocks/bars serves (kept in time order)."""
        extra = list(bars)

        def add() -> None:
            self.history.extend(extra)
            self.history.sort(key=lambda b: (b.symbol, b.timeframe, b.ts))

        self.call(add)

    def publish_bar(self, bar: Bar, *, match: bool = True) -> None:
        """Send ``bar`` to its subscribers, add it to history, then work the symbol's open
        orders on it (their trade_updates follow). ``match`` False leaves the orders alone:
        a rehearsal that paces itself calls :meth:`match_bar` first, waits for the fills to
        be taken in, then publishes the bar, so the client sees every fill of the bar's
        open before the bar's close (as a simulated venue orders them)."""

        async def publish() -> None:
            await self.streams.bar(bar)
            self.history.append(bar)
            self.history.sort(key=lambda b: (b.symbol, b.timeframe, b.ts))
            if match:
                self._match(bar)

        self.run(publish())

    def match_bar(self, bar: Bar) -> None:
        """Work the symbol's open orders on ``bar`` (their trade_updates follow), without
        publishing it."""

        async def match() -> None:
            self._match(bar)

        self.run(match())

    def _match(self, bar: Bar) -> None:
        for group in self.book.on_bar(bar, split=self.faults.partial_fills):
            self.emit(group)

    def publish_news(
        self,
        headline: str,
        symbols: Sequence[str],
        *,
        summary: str = "",
        url: str = "",
        created_at: datetime | None = None,
    ) -> None:
        """An article for GET /v1beta1/news and the news stream's subscribers."""

        async def publish() -> None:
            item = NewsItem(
                id=len(self.news) + 1,
                headline=headline,
                symbols=list(symbols),
                summary=summary,
                url=url,
                created_at=created_at or self.now(),
            )
            self.news.append(item)
            await self.streams.news(item)

        self.run(publish())

    def orders(self) -> list[dict[str, Any]]:
        """Every order the venue holds, in Alpaca's JSON shape, oldest first."""
        return self.call(lambda: [o.json() for o in self.book.orders.values()])

    def positions(self) -> dict[str, Decimal]:
        return self.call(lambda: {s: q for s, (q, _) in self.book.positions.items()})

    def cash(self) -> Decimal:
        return self.call(lambda: self.book.cash)

    def submits(self) -> int:
        """POST /v2/orders requests received, retries included."""
        return self.call(lambda: self.submit_count)

    def requests(self) -> list[tuple[str, str, dict[str, str]]]:
        """Every HTTP request so far: method, path, query."""
        return self.call(lambda: list(self.request_log))

    def trading_listeners(self) -> int:
        """Trading-stream connections authenticated and listening to trade_updates now."""
        return self.call(self.streams.listening)

    def data_subscribers(self, symbol: str) -> int:
        """Market-data connections subscribed to ``symbol``'s bars (or to all)."""
        return self.call(lambda: self.streams.bar_subscribers(symbol))

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Poll ``predicate`` until it holds; AssertionError after ``timeout`` seconds."""
        deadline = monotonic() + timeout
        pause = threading.Event()
        while not predicate():
            if monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            pause.wait(0.01)

    def drop_connections(self) -> None:
        """Close every websocket now, abruptly (the clients must reconnect)."""
        self.run(self.streams.drop_all())


def _exact(value: float) -> Decimal:
    return Decimal(str(value))
