"""Closed bars from a ccxt exchange (a :class:`~tradebot.ports.LiveFeed`): streamed over
the exchange's websocket where ccxt.pro has one, else polled.

``history`` pages ``fetch_ohlcv`` forward from ``start``. Live, the feed streams
(``watch_ohlcv``, :mod:`tradebot.adapters.ccxt.watching`) when the exchange's ccxt.pro
client has ``watchOHLCV``, ``prefer_polling`` is off, and the stream's URL is known to
belong with the REST one (no REST override, or a ``ws_urls_override`` beside it: a local
REST venue is never mixed with the exchange's real streams). Otherwise it polls: every
``poll_s`` seconds (by default the timeframe, capped at 10 s) each symbol is asked for the
candles since the last one emitted, so a failed round or a pause leaves no gap; only
candles closed by now are emitted, never the forming one a venue serves last.

Either way a bar is emitted once, in order (anything not newer than the last bar of its
symbol is dropped), and a symbol with no new closed bar for two timeframes (plus
``poll_s``) is reported stale through ``feed_status``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, wait
from datetime import datetime, timedelta
from typing import Any

from tradebot.adapters.ccxt.convert import bars_from_ohlcv, broker_error, to_ms
from tradebot.adapters.ccxt.exchange import make_exchange
from tradebot.adapters.ccxt.loop import LoopThread
from tradebot.adapters.ccxt.polling import poll_forever
from tradebot.adapters.ccxt.pro import make_pro_exchange, streams_ohlcv
from tradebot.adapters.ccxt.watching import StreamLink, watch_candles
from tradebot.adapters.clock import utc_now
from tradebot.domain.bar import Bar, validate_bar
from tradebot.domain.enums import Timeframe
from tradebot.ports import COMMAND_TIMEOUT_S, EventSink

__all__ = ["CcxtBarFeed"]

_PAGE = 1000
_TICK = timedelta(microseconds=1)


class CcxtBarFeed:
    """Bars of ``symbols`` (``BTC/USDT``) at ``timeframe`` from a public ccxt client;
    :attr:`mode` says which path it takes (``"websocket"`` or ``"polling"``)."""

    source = "ccxt-bars"

    def __init__(
        self,
        symbols: Sequence[str],
        timeframe: Timeframe = Timeframe.M1,
        *,
        exchange_id: str = "binance",
        urls_override: Mapping[str, str] | None = None,
        ws_urls_override: Mapping[str, str] | None = None,
        prefer_polling: bool = False,
        poll_s: float | None = None,
        since: datetime | None = None,
        now: Callable[[], datetime] = utc_now,
        sandbox: bool = False,
    ) -> None:
        self._symbols, self._timeframe = list(symbols), timeframe
        self._exchange_id, self._now = exchange_id, now
        self._poll_s = poll_s if poll_s is not None else min(timeframe.seconds, 10.0)
        self._span = timedelta(seconds=timeframe.seconds)
        self._since = since
        self._runner = LoopThread(f"ccxt-bars-{exchange_id}")
        self.exchange: Any = None
        streamable = not prefer_polling and streams_ohlcv(exchange_id)
        if streamable and (ws_urls_override or not urls_override):
            pro = make_pro_exchange(
                exchange_id,
                urls_override=urls_override,
                ws_urls_override=ws_urls_override,
                sandbox=sandbox,
            )
            if pro.has.get("watchOHLCV") is True:
                self.exchange = pro  # a ccxt.pro client is a REST client too
        self.mode = "polling" if self.exchange is None else "websocket"
        if self.exchange is None:
            self.exchange = make_exchange(exchange_id, urls_override=urls_override, sandbox=sandbox)
        self._last: dict[str, datetime] = {}
        self._stale: set[str] = set()
        self._task: Future[None] | None = None

    def __repr__(self) -> str:
        return (
            f"CcxtBarFeed({self._exchange_id!r}, {self._symbols!r}, {self._timeframe}, {self.mode})"
        )

    def history(self, symbols: Sequence[str], start: datetime, end: datetime) -> list[Bar]:
        bars: list[Bar] = []
        for symbol in symbols:
            try:
                bars.extend(self._runner.run(self._page(symbol, start, end), COMMAND_TIMEOUT_S * 6))
            except Exception as exc:
                raise broker_error(exc, f"history of {symbol}", self._exchange_id) from None
        return sorted(bars, key=lambda b: (b.ts, symbols.index(b.symbol)))

    async def _page(self, symbol: str, start: datetime, end: datetime) -> list[Bar]:
        """Closed bars with ``start <= ts < end``, asked page by page from ``start``."""
        since = to_ms(start - self._span)  # a bar labelled ``start`` opened one span before
        out: list[Bar] = []
        while True:
            rows = await self.exchange.fetch_ohlcv(symbol, self._timeframe.value, since, _PAGE)
            now = self._now()
            out.extend(
                b
                for b in bars_from_ohlcv(symbol, self._timeframe, rows, now)
                if start <= b.ts < end
            )
            if len(rows) < _PAGE or not rows:
                return out
            since = int(rows[-1][0]) + 1
            if since >= to_ms(min(end, now)):
                return out

    def start(self, sink: EventSink) -> None:
        begin = self._since or (self._now() - self._span)
        self._last = {s: begin for s in self._symbols}
        if self.mode == "websocket":
            self._task = self._runner.spawn(self._stream(sink))
            return

        async def round_() -> None:
            await self._round(sink)

        self._task = self._runner.spawn(
            poll_forever(
                self.source,
                sink,
                round_,
                interval_s=lambda: self._poll_s,
                exchange_id=self._exchange_id,
            )
        )

    async def _stream(self, sink: EventSink) -> None:
        """One :func:`watch_candles` loop per symbol on the shared client (one connection);
        the first to fail ends them all (none does but by cancellation)."""
        sink.feed_status(self.source, True, "websocket")
        link = StreamLink(self.source, sink)
        loops = [asyncio.ensure_future(self._watch(sink, link, s)) for s in self._symbols]
        try:
            await asyncio.gather(*loops)
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)

    async def _watch(self, sink: EventSink, link: StreamLink, symbol: str) -> None:
        async def fill() -> list[Bar]:
            return await self._gap(symbol)

        await watch_candles(
            self.exchange,
            symbol,
            self._timeframe,
            link=link,
            take=lambda bars: self._emit(sink, bars),
            fill=fill,
            tick=lambda: self._check_stale(symbol, sink, self._now()),
            quiet_s=self._poll_s,
            exchange_id=self._exchange_id,
        )

    async def _gap(self, symbol: str) -> list[Bar]:
        """REST: every closed bar of ``symbol`` after the last one emitted."""
        return await self._page(symbol, self._last[symbol] + _TICK, self._now())

    def _emit(self, sink: EventSink, bars: Sequence[Bar]) -> None:
        """Hand on each bar newer than its symbol's last (so never one twice)."""
        for bar in bars:
            if bar.ts > self._last[bar.symbol]:
                sink.bar(validate_bar(bar))
                self._last[bar.symbol] = bar.ts

    async def _round(self, sink: EventSink) -> None:
        now = self._now()
        for symbol in self._symbols:
            self._emit(sink, await self._page(symbol, self._last[symbol] + _TICK, now))
            self._check_stale(symbol, sink, now)

    def _check_stale(self, symbol: str, sink: EventSink, now: datetime) -> None:
        behind = now - self._last[symbol]
        stale = behind > 2 * self._span + timedelta(seconds=self._poll_s)
        if stale and symbol not in self._stale:
            self._stale.add(symbol)
            sink.feed_status(self.source, False, f"{symbol}: no closed bar for {behind}")
        elif not stale and symbol in self._stale:
            self._stale.discard(symbol)
            sink.feed_status(self.source, True, f"{symbol}: bars again")

    def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            wait([task], timeout=5)
        self._runner.close(self.exchange.close)
