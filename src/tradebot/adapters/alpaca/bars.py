"""``AlpacaBarFeed``: minute (or other) bars from Alpaca's market-data stream, with history
from its REST API (port ``LiveFeed``).

Bars are stamped at their close (:mod:`.convert_data`); ``history(start, end)`` keeps the
closed bars with ``start <= ts < end`` (a bar still forming, ``ts`` after now, is left
out). After a reconnect, live bars are held back until the bars missed since each
symbol's last one have been read from REST and pushed, so the sink sees every symbol's
bars in time order and none is dropped as older than one already seen. A stream silent
for ``stale_after_s`` is reported ``feed_status(..., False, "stale: …")`` once, and
connected again when a bar arrives.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from alpaca.data.enums import DataFeed
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.live import StockDataStream
from alpaca.data.models import Bar as AlpacaBar
from alpaca.data.models import BarSet
from alpaca.data.requests import StockBarsRequest
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit

from tradebot.adapters.alpaca.convert_data import bar_of_alpaca
from tradebot.adapters.alpaca.credentials import AlpacaCredentials
from tradebot.adapters.alpaca.rest import broker_error
from tradebot.adapters.alpaca.streams import HookedStream, StreamHooks, StreamThread
from tradebot.adapters.clock import monotonic, utc_now
from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["SOURCE", "AlpacaBarFeed"]

SOURCE = "alpaca-bars"
_log = get_logger("alpaca-bars")
_FRAMES = {
    Timeframe.M1: TimeFrame(1, TimeFrameUnit.Minute),
    Timeframe.M5: TimeFrame(5, TimeFrameUnit.Minute),
    Timeframe.M15: TimeFrame(15, TimeFrameUnit.Minute),
    Timeframe.H1: TimeFrame(1, TimeFrameUnit.Hour),
    Timeframe.D1: TimeFrame(1, TimeFrameUnit.Day),
}


class _Stream(HookedStream, StockDataStream):
    def __init__(
        self, creds: AlpacaCredentials, feed: DataFeed, url: str | None, hooks: StreamHooks
    ) -> None:
        StockDataStream.__init__(
            self,
            creds.key_id.get_secret_value(),
            creds.secret_key.get_secret_value(),
            feed=feed,
            url_override=url,
        )
        self.hooks = hooks


class AlpacaBarFeed:
    """Live bars of ``symbols`` (only minute bars stream; the stream's bars are 1-minute
    whatever ``timeframe`` says, so a coarser timeframe is for ``history`` only)."""

    def __init__(
        self,
        creds: AlpacaCredentials,
        client: StockHistoricalDataClient,
        symbols: Sequence[str],
        *,
        timeframe: Timeframe = Timeframe.M1,
        feed: str = "iex",
        url: str | None = None,
        stale_after_s: float = 180.0,
        now: Callable[[], datetime] = utc_now,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self._creds = creds
        self._client = client
        self.symbols = tuple(symbols)
        self.timeframe = timeframe
        self._feed = DataFeed(feed)
        self._url = url
        self.stale_after_s = stale_after_s
        self._now = now
        self._clock = clock
        self._sink: EventSink | None = None
        self._thread: StreamThread | None = None
        self._last: dict[str, datetime] = {}
        self._heard = 0.0
        self._stale = False
        self._connects = 0
        self._gap_due = False
        self._held: list[Bar] | None = None
        """Live bars held while a gap is filled (None: none is being filled)."""

    # ---- history ----------------------------------------------------------------------

    def history(self, symbols: Sequence[str], start: datetime, end: datetime) -> list[Bar]:
        step = timedelta(seconds=self.timeframe.seconds)
        request = StockBarsRequest(
            symbol_or_symbols=list(symbols),
            timeframe=_FRAMES[self.timeframe],
            start=start - step,
            end=end - step,
            feed=self._feed,
        )
        try:
            result = self._client.get_stock_bars(request)
        except Exception as exc:
            raise broker_error(exc, f"read {self.timeframe} bars of {', '.join(symbols)}") from exc
        if not isinstance(result, BarSet):
            raise DataError("Alpaca answered the bars request with something else")
        closed = self._now()
        order = {symbol: i for i, symbol in enumerate(symbols)}
        bars = [
            bar
            for series in result.data.values()
            for bar in (bar_of_alpaca(b, self.timeframe) for b in series)
            if start <= bar.ts < end and bar.ts <= closed
        ]
        bars.sort(key=lambda b: (b.ts, order.get(b.symbol, len(order))))
        return bars

    # ---- live -------------------------------------------------------------------------

    def start(self, sink: EventSink) -> None:
        self._sink = sink
        self._heard = self._clock()
        stream = _Stream(self._creds, self._feed, self._url, self)
        stream.subscribe_bars(self._on_bar, *self.symbols)
        self._thread = StreamThread("alpaca-bars", stream, helpers=(self._watch,))
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    async def _on_bar(self, raw: AlpacaBar | dict[Any, Any]) -> None:
        self._heard = self._clock()
        if not isinstance(raw, AlpacaBar):  # raw data is never asked for
            return
        if self._stale and self._sink is not None:
            self._stale = False
            self._sink.feed_status(SOURCE, True, "bars again")
        try:
            bar = bar_of_alpaca(raw, Timeframe.M1)
        except DataError as exc:
            _log.warning("bar refused", error=exc.one_line())
            return
        if self._held is not None:
            self._held.append(bar)
        else:
            self._push(bar)

    def _push(self, bar: Bar) -> None:
        last = self._last.get(bar.symbol)
        if last is not None and bar.ts <= last:
            return
        self._last[bar.symbol] = bar.ts
        if self._sink is not None:
            self._sink.bar(bar)

    async def _watch(self) -> None:
        """Say once that the stream went quiet for ``stale_after_s``."""
        period = max(0.05, min(1.0, self.stale_after_s / 4))
        while True:
            await asyncio.sleep(period)
            quiet = self._clock() - self._heard
            if not self._stale and quiet >= self.stale_after_s and self._sink is not None:
                self._stale = True
                self._sink.feed_status(SOURCE, False, f"stale: no bar for {quiet:.0f} s")

    # ---- StreamHooks ------------------------------------------------------------------

    def connected(self) -> None:
        self._connects += 1
        if self._connects > 1 and self._last:
            self._gap_due, self._held = True, []
        if self._sink is not None:
            detail = "reconnected" if self._connects > 1 else "connected"
            self._sink.feed_status(SOURCE, True, detail)

    def subscribed(self) -> None:
        if self._gap_due:
            self._gap_due = False
            asyncio.get_running_loop().create_task(self._fill_gap())

    def failed(self, error: BaseException) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, f"connect failed: {error}"[:200])

    def disconnected(self) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, "disconnected; reconnecting")

    async def _fill_gap(self) -> None:
        """Push the bars missed since each symbol's last, then the live ones held back."""
        step = timedelta(seconds=self.timeframe.seconds)
        since = min(self._last.values())
        try:
            missed = await asyncio.to_thread(
                self.history, self.symbols, since + step, self._now() + step
            )
        except Exception as exc:
            _log.warning("bar gap fill failed", error=str(exc)[:200])
            missed = []
        held, self._held = self._held or [], None
        for bar in sorted([*missed, *held], key=lambda b: b.ts):
            self._push(bar)
        _log.info("bar gap filled", since=since.isoformat(), bars=len(missed))
