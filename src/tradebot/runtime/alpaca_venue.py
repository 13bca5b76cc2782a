"""Alpaca as a session's venue (``--broker alpaca``, or the bars of ``--broker sim``).

Keys from ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY`` (or the settings' secrets); paper or
live by the mode (the account's URL). ``live.alpaca_url`` (or ``TRADEBOT_ALPACA_URL``) points
every client at another server — a rehearsal against
:class:`tradebot.testing.alpaca.AlpacaVenue` — with its websocket URLs derived from it
unless ``live.alpaca_*_stream_url`` say otherwise. Instruments come from Alpaca's assets
(tick, fractionable lot, minimums); the account's cash is the session's starting cash.
"""

from __future__ import annotations

from dataclasses import replace

from tradebot.adapters.alpaca import (
    AlpacaBarFeed,
    AlpacaBroker,
    AlpacaEndpoints,
    AlpacaNews,
    AlpacaTradeUpdates,
    RestLimits,
    credentials_from_env,
    data_client,
    endpoints_from_env,
    trading_client,
)
from tradebot.config import Settings
from tradebot.ports import LiveNews
from tradebot.runtime.venues import Venue, starting_cash

__all__ = ["alpaca_endpoints", "alpaca_venue"]


def alpaca_endpoints(settings: Settings) -> AlpacaEndpoints:
    """Where the clients connect: the settings' overrides, else the environment's, else
    Alpaca's own URLs."""
    live = settings.live
    if live.alpaca_url is None:
        found = endpoints_from_env()
    else:
        found = AlpacaEndpoints.local(live.alpaca_url.rstrip("/"))
    return replace(
        found,
        trading_stream_url=live.alpaca_stream_url or found.trading_stream_url,
        data_stream_url=live.alpaca_data_stream_url or found.data_stream_url,
        news_stream_url=live.alpaca_news_stream_url or found.news_stream_url,
    )


def alpaca_venue(
    settings: Settings, symbols: tuple[str, ...], *, paper: bool, trading: bool = True
) -> Venue:
    """Alpaca's paper (``paper``) or live account for ``symbols``; ``trading`` False gives
    its bars, instruments and news only (the data of ``--broker sim``)."""
    live = settings.live
    creds = credentials_from_env(settings.broker, paper=paper)
    urls = alpaca_endpoints(settings)
    limits = RestLimits()
    client = trading_client(creds, urls.base_url, limits)
    broker = AlpacaBroker(client)
    name = f"Alpaca {'paper' if paper else 'live'} account" + (
        f" at {urls.base_url}" if urls.base_url else ""
    )
    cash = starting_cash(broker, name) if trading else settings.broker.initial_cash
    instruments = broker.instruments(symbols)
    feed = AlpacaBarFeed(
        creds,
        data_client(creds, urls.data_url, limits),
        symbols,
        timeframe=live.timeframe,
        feed=live.alpaca_feed,
        url=urls.data_stream_url,
        stale_after_s=float(live.stale_after_s),
    )
    news: tuple[LiveNews, ...] = ()
    if live.alpaca_news:
        news = (AlpacaNews(creds, symbols, url=urls.news_stream_url),)
    if not trading:
        return Venue(name, broker, feed, instruments, cash, news=news)
    reports = AlpacaTradeUpdates(creds, broker.fills_since, url=urls.trading_stream_url)
    return Venue(
        name=name,
        broker=broker,
        feed=feed,
        instruments=instruments,
        starting_cash=cash,
        reports=reports,
        news=news,
    )
