"""Closed candles from ccxt.pro's ``watch_ohlcv``, one loop per symbol.

``watch_ohlcv`` resolves on every kline update and serves the candle still forming, so the
loop reads the client's candle cache (the latest values of every candle, whichever update
woke it) and keeps a candle only once it is closed (:func:`closed_candles`): a later candle
has started, or the exchange's kline said so (:func:`~tradebot.adapters.ccxt.pro.
closed_through`). What it hands on is deduplicated by the feed (never a bar twice).

Gaps are filled from REST (``fill``, the feed's ``fetch_ohlcv`` pages): at start, after
every failure, and once more on the first update after a reconnect (the subscription is
live by then, so nothing closed between the fill and the subscription is lost). While
the stream is quiet for ``quiet_s`` the cache is read again (an update that came while
nothing was waiting wakes nobody), staleness is checked, and, until that first update
after a (re)connect, REST is asked again. A failure (the connection closed, a timeout) is
reported once through ``feed_status``, the client's cached candles are forgotten (they
may be stale), and the watch is retried with exponential backoff and jitter; ccxt.pro
opens a new connection and subscribes again. A drop that came while no watch was waiting
rejects nothing, and ccxt.pro reconnects quietly on the next watch: the client's count of
connections (:func:`~tradebot.adapters.ccxt.pro.connections`) tells the loop, which fills
from REST on that first update just the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from tradebot.adapters.ccxt.convert import bars_from_ohlcv, broker_error
from tradebot.adapters.ccxt.polling import backoff_s
from tradebot.adapters.ccxt.pro import closed_through, connections
from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["StreamLink", "closed_candles", "watch_candles"]

_log = get_logger("ccxt-watch")
_NEVER = datetime.max.replace(tzinfo=UTC)


def closed_candles(rows: Sequence[Sequence[Any]], closed_through_ms: int | None) -> list[list[Any]]:
    """The candles of ``rows`` (ccxt's ``[open_ms, o, h, l, c, v]``) that are closed: every
    one but the latest (a later one started), and the latest too where the exchange said it
    closed (its open time ``<= closed_through_ms``). Sorted by open time."""
    ordered = sorted((list(r) for r in rows if r and r[0] is not None), key=lambda r: int(r[0]))
    if not ordered:
        return []
    latest = int(ordered[-1][0])
    done = -1 if closed_through_ms is None else closed_through_ms
    return [r for r in ordered if int(r[0]) < latest or int(r[0]) <= done]


class StreamLink:
    """The websocket's state as ``feed_status`` reports it, shared by the symbol loops of
    one feed: reported down once when the first loop fails, up again when all recover."""

    def __init__(self, source: str, sink: EventSink) -> None:
        self._source, self._sink = source, sink
        self._down: set[str] = set()

    def down(self, symbol: str, why: str) -> None:
        if not self._down:
            self._sink.feed_status(self._source, False, why)
            _log.warning("stream failed", source=self._source, symbol=symbol, error=why)
        self._down.add(symbol)

    def up(self, symbol: str) -> None:
        if symbol not in self._down:
            return
        self._down.discard(symbol)
        if not self._down:
            self._sink.feed_status(self._source, True, "reconnected")
            _log.info("stream reconnected", source=self._source)


async def watch_candles(
    exchange: Any,
    symbol: str,
    timeframe: Timeframe,
    *,
    link: StreamLink,
    take: Callable[[list[Bar]], None],
    fill: Callable[[], Awaitable[list[Bar]]],
    tick: Callable[[], None],
    quiet_s: float,
    exchange_id: str,
    max_backoff_s: float = 30.0,
) -> None:
    """Hand ``take`` the closed candles of ``symbol`` as they close, until cancelled
    (module docstring); ``tick`` checks staleness."""
    need_fill, failures, connected = True, 0, connections(exchange)
    pending: asyncio.Future[Any] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(exchange.watch_ohlcv(symbol, timeframe.value))
            done, _ = await asyncio.wait({pending}, timeout=quiet_s)
            if done:
                finished, pending = pending, None
                error = _failure(finished)
                if error is not None:
                    failures += 1
                    why = broker_error(error, f"{symbol} stream", exchange_id).message
                    link.down(symbol, why)  # the message only: its hint is about orders
                    _forget(exchange, symbol, timeframe)
                    take(await _try_fill(fill, symbol) or [])  # bars go on while it is down
                    need_fill = True  # and once more when the stream is back
                    tick()
                    await asyncio.sleep(backoff_s(failures, quiet_s, max_backoff_s))
                    continue
                if failures:
                    failures = 0
                    link.up(symbol)
            if connections(exchange) != connected:  # reconnected, maybe with no error seen
                connected, need_fill = connections(exchange), True
            filled: list[Bar] | None = []
            if need_fill:  # since (re)connecting; the first update says it is subscribed
                filled = await _try_fill(fill, symbol)
                if done and filled is not None:
                    need_fill = False
            # REST's bars and the stream's together, in time order: neither gets ahead
            bars = (filled or []) + _closed_bars(exchange, symbol, timeframe)
            take(sorted(bars, key=lambda b: b.ts))
            tick()
    finally:
        if pending is not None:
            pending.cancel()


def _failure(finished: asyncio.Future[Any]) -> BaseException | None:
    if finished.cancelled():  # ccxt cancels its futures when a client closes
        return ConnectionError("the stream was closed")
    return finished.exception()


async def _try_fill(fill: Callable[[], Awaitable[list[Bar]]], symbol: str) -> list[Bar] | None:
    """One REST gap fill's bars; None (logged) where it failed: it is tried again later."""
    try:
        return await fill()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        _log.warning("gap fill failed", symbol=symbol, error=str(exc)[:200])
        return None


def _closed_bars(exchange: Any, symbol: str, timeframe: Timeframe) -> list[Bar]:
    """The closed candles in the client's cache, as bars labelled by their close."""
    cached = (getattr(exchange, "ohlcvs", None) or {}).get(symbol, {}).get(timeframe.value)
    if not cached:
        return []
    closed = closed_candles(list(cached), closed_through(exchange, symbol, timeframe.value))
    return bars_from_ohlcv(symbol, timeframe, closed, _NEVER)


def _forget(exchange: Any, symbol: str, timeframe: Timeframe) -> None:
    """Drop the client's cached candles of ``symbol``: after a disconnect the forming one
    may have missed updates, and a later candle would make it look closed."""
    cached = (getattr(exchange, "ohlcvs", None) or {}).get(symbol)
    if isinstance(cached, dict):
        cached.pop(timeframe.value, None)
