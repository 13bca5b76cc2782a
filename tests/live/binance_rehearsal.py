"""The paced rehearsal of :mod:`tests.live.rehearsal` on the fake Binance venue, whose bars
and fills a session polls for (``CcxtBarFeed``, ``CcxtOrderReports``).

A polling feed emits only candles closed by the wall clock (the venue serves the forming
one last), and starts one timeframe back from the moment it starts: minute bars a minute
apart would take a minute each. So the warm-up keeps whole minutes (history, served as
klines before the session opens), and the stream's bars — the bundled prices and volumes,
in order — are stamped into the half minute before the stream starts, a quarter second
apart: closed already, newer than the feed's start, still ordered. Only times move, and
both venues of a comparison see the same times.

Each step mirrors the Alpaca one: the venue matches the open orders on the kline without
serving it (``match_kline``), the session polls in every fill the venue made, then the kline
is served and the feed's next poll hands it to the session, which acts on it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.live.rehearsal import Running, wait
from tradebot.adapters.ccxt import CcxtBarFeed, CcxtOrderReports
from tradebot.data.minute_bars import sample_minute_bars
from tradebot.domain import Bar
from tradebot.testing.binance import BinanceVenue

STEP = timedelta(milliseconds=250)
"""Between two stream bars: ``STEP × len(stream)`` must stay well under the minute a polling
feed looks back when it starts."""


def bundled(start: int, count: int) -> list[Bar]:
    """Bundled BTC/USDT minute bars ``start`` to ``start + count`` (times as bundled)."""
    return list(sample_minute_bars("crypto")[start : start + count])


def warm_history(bars: list[Bar]) -> list[Bar]:
    """``bars`` moved to end a minute before now, on whole minutes (closed klines a session
    reads for its warm-up)."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    shift = (now - timedelta(minutes=1)) - bars[-1].ts
    return [replace(b, ts=b.ts + shift) for b in bars]


def stream_times(bars: list[Bar]) -> list[Bar]:
    """``bars`` restamped :data:`STEP` apart, the last a second before now (whole
    milliseconds, as kline times are): every one is closed and inside the window a feed
    started now polls."""
    now = datetime.now(UTC)
    end = now.replace(microsecond=now.microsecond // 1000 * 1000) - timedelta(seconds=1)
    count = len(bars)
    return [replace(b, ts=end - STEP * (count - 1 - i)) for i, b in enumerate(bars)]


def venue_symbol(symbol: str) -> str:
    """``BTC/USDT`` as Binance names it (``BTCUSDT``)."""
    return symbol.replace("/", "")


def add_history(venue: BinanceVenue, bars: list[Bar]) -> None:
    """Closed klines for the warm-up (no order is open yet: nothing to match)."""
    for bar in bars:
        venue.publish_kline(venue_symbol(bar.symbol), bar, match=False)


def wait_polling(running: Running) -> None:
    """Until both polling loops run: the warm-up has read its history by then, so a kline
    served from now on reaches the session through the feed only (never twice)."""
    health = running.kernel.health
    for source in (CcxtBarFeed.source, CcxtOrderReports.source):
        wait(lambda source=source: bool(health.connected.get(source)), f"{source} polling")


def take_kline(venue: BinanceVenue, running: Running, bar: Bar) -> None:
    """One paced step (module docstring): the venue works its orders on ``bar``, the
    session polls in every fill, then the kline is served and acted on."""
    symbol = venue_symbol(bar.symbol)
    venue.match_kline(symbol, bar)
    filled = sum((o.executed_qty for o in venue.orders()), Decimal(0))
    wait(lambda: running.filled() == filled, f"the fills of {bar.ts}")
    venue.publish_kline(symbol, bar, match=False)
    wait(lambda: running.acted_on(bar), f"the session to act on {bar.symbol} {bar.ts}")
