"""``CcxtBarFeed`` on the websocket: real ccxt.pro (``binance.watch_ohlcv``) against the fake
Binance venue's kline streams, both reached through URL overrides on 127.0.0.1; nothing is
patched. Bars sit on whole minutes from a fixed day and the feed starts there (``since``),
so what "closed" means never depends on the wall clock: the stream says it (``"x"``), or a
later candle starts; REST serves only what the venue booked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tradebot.adapters.ccxt import CcxtBarFeed
from tradebot.adapters.ccxt.pro import make_pro_exchange, ws_api_urls
from tradebot.adapters.ccxt.watching import closed_candles
from tradebot.adapters.clock import monotonic
from tradebot.config import load_settings
from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError
from tradebot.runtime.ccxt_venue import ccxt_venue
from tradebot.testing.binance import BinanceVenue
from tradebot.testing.live import CollectingSink

SYMBOL, VENUE_SYMBOL, STREAM = "BTC/USDT", "BTCUSDT", "btcusdt@kline_1m"
T0 = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
SOURCE = CcxtBarFeed.source


def bar(i: int, price: float = 42_000.0) -> Bar:
    """The ``i``-th minute bar after T0 (labelled by its close), each with its own prices."""
    p = price + 10 * i
    return Bar(SYMBOL, Timeframe.M1, T0 + timedelta(minutes=i), p, p + 7, p - 3, p + 2, 1.5 + i)


def forming(b: Bar) -> Bar:
    """``b`` as the fake's forming update shows it (its open everywhere, half the volume)."""
    return Bar(b.symbol, b.timeframe, b.ts, b.open, b.open, b.open, b.open, b.volume / 2)


def wait(
    predicate: Callable[[], bool],
    what: str,
    timeout: float = 15.0,
    sink: CollectingSink | None = None,
) -> None:
    deadline = monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if monotonic() > deadline:
            seen = f": bars {sink.bars}, status {sink.status}" if sink is not None else ""
            raise AssertionError(f"timed out waiting for {what}{seen}")
        pause.wait(0.01)


@pytest.fixture
def venue() -> Iterator[BinanceVenue]:
    with BinanceVenue() as v:
        yield v


def ws_feed(venue: BinanceVenue, **kwargs: object) -> CcxtBarFeed:
    return CcxtBarFeed(
        [SYMBOL],
        Timeframe.M1,
        urls_override=venue.ccxt_urls(),
        ws_urls_override=venue.ccxt_ws_urls(),
        poll_s=0.05,
        since=T0,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def streaming(venue: BinanceVenue) -> Iterator[tuple[CcxtBarFeed, CollectingSink]]:
    feed, sink = ws_feed(venue), CollectingSink()
    assert feed.mode == "websocket"
    feed.start(sink)
    try:
        wait(lambda: venue.stream_subscriptions() == [STREAM], "the kline subscription")
        yield feed, sink
    finally:
        feed.stop()


def test_pushed_klines_arrive_as_closed_bars_once(
    venue: BinanceVenue, streaming: tuple[CcxtBarFeed, CollectingSink]
) -> None:
    feed, sink = streaming
    assert (SOURCE, True, "websocket") in sink.status

    # forming updates are held back; the closed kline gives the bar its final values
    venue.push_kline(VENUE_SYMBOL, bar(1), closed=False)
    venue.publish_kline(VENUE_SYMBOL, bar(1), forming_first=True)
    wait(lambda: len(sink.bars) >= 1, "the first closed bar", sink=sink)

    # stream-only klines (not booked, so not in REST's /klines): the websocket brought them
    for i in (2, 3, 4):
        assert venue.push_kline(VENUE_SYMBOL, bar(i), closed=False) == 1
        assert venue.push_kline(VENUE_SYMBOL, bar(i), closed=True) == 1
    venue.push_kline(VENUE_SYMBOL, bar(3), closed=True)  # a repeat, and an older one
    venue.push_kline(VENUE_SYMBOL, bar(2), closed=True)
    venue.publish_kline(VENUE_SYMBOL, bar(5))
    wait(lambda: len(sink.bars) >= 5, "five bars", sink=sink)

    # no closed flag: a candle counts as closed once a later one starts
    venue.push_kline(VENUE_SYMBOL, bar(6), closed=False)
    venue.push_kline(VENUE_SYMBOL, bar(7), closed=False)
    wait(lambda: len(sink.bars) >= 6, "the bar a later candle closed", sink=sink)
    venue.push_kline(VENUE_SYMBOL, bar(7), closed=True)
    wait(lambda: len(sink.bars) >= 7, "the seventh bar", sink=sink)

    feed.stop()
    assert sink.bars == [bar(1), bar(2), bar(3), bar(4), bar(5), forming(bar(6)), bar(7)]
    downs = [detail for source, up, detail in sink.status if not up]
    assert downs and all("no closed bar" in d for d in downs)  # stale (bars of 2024), never down
    wait(lambda: venue.stream_subscriptions() == [], "the client to close its connection")


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "tcp-cut"])
def test_a_dropped_stream_reconnects_and_fills_the_gap_from_rest(
    venue: BinanceVenue, streaming: tuple[CcxtBarFeed, CollectingSink], abrupt: bool
) -> None:
    _, sink = streaming
    venue.publish_kline(VENUE_SYMBOL, bar(1))
    wait(lambda: sink.bars == [bar(1)], "the first bar", sink=sink)

    venue.faults.refuse_streams = True  # the stream endpoint stays down; REST answers
    assert venue.drop_streams(abrupt=abrupt) == 1
    wait(lambda: any(not up and "stream" in d for _, up, d in sink.status), "the drop reported")
    assert venue.stream_subscriptions() == []
    for i in (2, 3):  # published while nobody is subscribed: REST is the only way
        venue.publish_kline(VENUE_SYMBOL, bar(i))
    wait(lambda: len(sink.bars) >= 3, "the bars published while down (REST gap fill)", sink=sink)

    venue.faults.refuse_streams = False
    wait(lambda: venue.stream_subscriptions() == [STREAM], "the resubscription", timeout=30)
    venue.publish_kline(VENUE_SYMBOL, bar(4))
    assert venue.push_kline(VENUE_SYMBOL, bar(5), closed=True) == 1  # the stream only
    wait(lambda: len(sink.bars) >= 5, "the bars after the reconnect", sink=sink)
    wait(lambda: (SOURCE, True, "reconnected") in sink.status, "the recovery reported")

    assert sink.bars == [bar(i) for i in range(1, 6)]
    downs = [d for _, up, d in sink.status if not up and "no closed bar" not in d]  # not stale
    assert len(downs) == 1 and "BTC/USDT stream" in downs[0], downs


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "tcp-cut"])
def test_a_quick_reconnect_still_fills_what_only_rest_has(
    venue: BinanceVenue, streaming: tuple[CcxtBarFeed, CollectingSink], abrupt: bool
) -> None:
    """The stream comes back at once (the drop may reach no waiting watch at all): a kline
    served while the client was away is in REST only, and still comes, before the next."""
    _, sink = streaming
    venue.publish_kline(VENUE_SYMBOL, bar(1))
    wait(lambda: sink.bars == [bar(1)], "the first bar", sink=sink)
    venue.drop_streams(abrupt=abrupt)
    venue.publish_kline(VENUE_SYMBOL, bar(2), stream=False)
    wait(lambda: venue.stream_subscriptions() == [STREAM], "the resubscription")
    assert venue.push_kline(VENUE_SYMBOL, bar(3), closed=True) == 1
    wait(lambda: len(sink.bars) >= 3, "the missed bar and the next", sink=sink)
    assert sink.bars == [bar(1), bar(2), bar(3)]


def test_polling_is_kept_when_preferred_or_when_only_rest_is_overridden(
    venue: BinanceVenue,
) -> None:
    preferred = ws_feed(venue, prefer_polling=True)
    rest_only = CcxtBarFeed([SYMBOL], urls_override=venue.ccxt_urls(), poll_s=0.05, since=T0)
    assert (preferred.mode, rest_only.mode) == ("polling", "polling")
    rest_only.stop()
    sink = CollectingSink()
    preferred.start(sink)
    try:
        venue.publish_kline(VENUE_SYMBOL, bar(1))
        venue.publish_kline(VENUE_SYMBOL, bar(2))
        wait(lambda: len(sink.bars) >= 2, "two polled bars", sink=sink)
        assert venue.stream_subscriptions() == []
        assert (SOURCE, True, "polling") in sink.status
    finally:
        preferred.stop()
    assert sink.bars == [bar(1), bar(2)]


def test_history_comes_from_rest_on_the_streaming_client(venue: BinanceVenue) -> None:
    for i in range(1, 4):
        venue.publish_kline(VENUE_SYMBOL, bar(i))
    feed = ws_feed(venue)
    try:
        assert feed.history([SYMBOL], T0, T0 + timedelta(minutes=10)) == [bar(1), bar(2), bar(3)]
    finally:
        feed.stop()


def test_closed_candles_keeps_what_a_later_candle_or_the_exchange_closed() -> None:
    rows = [[180, 3.0], [60, 1.0], [120, 2.0]]
    assert closed_candles(rows, None) == [[60, 1.0], [120, 2.0]]
    assert closed_candles(rows, 180) == [[60, 1.0], [120, 2.0], [180, 3.0]]
    assert closed_candles(rows[:1], None) == []
    assert closed_candles([], 10) == []


def test_ws_urls_follow_the_rest_override_for_binance_only() -> None:
    assert ws_api_urls("binance", "http://127.0.0.1:9/") == {
        "spot": "ws://127.0.0.1:9/ws",
        "margin": "ws://127.0.0.1:9/ws",
    }
    assert ws_api_urls("binance", "https://proxy.local")["spot"] == "wss://proxy.local/ws"
    with pytest.raises(ConfigError):
        ws_api_urls("kraken", "http://127.0.0.1:9")
    with pytest.raises(ConfigError):
        ws_api_urls("binance", "127.0.0.1:9")
    client = make_pro_exchange("binance", ws_urls_override={"spot": "ws://127.0.0.1:9/ws"})
    assert client.urls["api"]["ws"]["spot"] == "ws://127.0.0.1:9/ws"
    assert client.has["watchOHLCV"] is True


def test_a_session_venue_streams_from_the_host_of_live_ccxt_url(venue: BinanceVenue) -> None:
    settings = load_settings(live={"ccxt_url": venue.url})
    session_venue = ccxt_venue(settings, (SYMBOL,), test_account=True, trading=False)
    feed = session_venue.feed
    try:
        assert isinstance(feed, CcxtBarFeed) and feed.mode == "websocket"
        assert feed.exchange.urls["api"]["ws"]["spot"] == f"ws://127.0.0.1:{venue.port}/ws"
    finally:
        feed.stop()
