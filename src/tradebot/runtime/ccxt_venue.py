"""A CCXT exchange as a session's venue (``--broker ccxt``, or the bars of ``--broker sim``).

Keys from ``TRADEBOT_CCXT_API_KEY`` / ``TRADEBOT_CCXT_SECRET``; a paper session uses the
exchange's test network (``set_sandbox_mode``) unless ``live.ccxt_url`` points the client
elsewhere (a rehearsal against :class:`tradebot.testing.binance.BinanceVenue`). Instruments
(precision, limits) come from the exchange's markets; the account's cash is its balance of
the pairs' quote currency. Bars come over the exchange's websocket where ccxt.pro streams
them (``live.ccxt_url`` points the streams at the same host, ``ws://<host>/ws``), else
they are polled; ``live.ccxt_prefer_polling`` forces polling. Order updates are polled;
polling runs every ``live.poll_s`` seconds (unset: each adapter's default).
"""

from __future__ import annotations

from tradebot.adapters.ccxt import CcxtBarFeed, CcxtBroker, CcxtOrderReports
from tradebot.adapters.ccxt.exchange import api_urls
from tradebot.adapters.ccxt.pro import ws_api_urls
from tradebot.adapters.ccxt.user_stream import user_stream_urls
from tradebot.config import Settings
from tradebot.domain.errors import ConfigError
from tradebot.runtime.venues import Venue, starting_cash

__all__ = ["ccxt_venue"]


def ccxt_venue(
    settings: Settings, symbols: tuple[str, ...], *, test_account: bool, trading: bool = True
) -> Venue:
    """The exchange ``live.exchange`` for ``symbols`` (``BTC/USDT``); ``trading`` False
    gives its bars only (public data, no keys needed)."""
    live = settings.live
    exchange = live.exchange
    quotes = {symbol.partition("/")[2] for symbol in symbols}
    if "" in quotes or len(quotes) != 1:
        raise ConfigError(
            f"{exchange} pairs are written BASE/QUOTE with one quote currency, "
            f"not {', '.join(symbols)}",
            "pass e.g. --symbols BTC/USDT,ETH/USDT",
        )
    quote = quotes.pop()
    urls = api_urls(exchange, live.ccxt_url) if live.ccxt_url else None
    ws_urls = ws_api_urls(exchange, live.ccxt_url) if live.ccxt_url else None
    sandbox = test_account and urls is None
    feed = CcxtBarFeed(
        symbols,
        live.timeframe,
        exchange_id=exchange,
        urls_override=urls,
        ws_urls_override=ws_urls,
        prefer_polling=live.ccxt_prefer_polling,
        poll_s=live.poll_s,
        sandbox=sandbox,
    )
    name = f"{exchange}{' (test network)' if sandbox else ''}"
    if trading:
        key = live.ccxt_api_key.get_secret_value() if live.ccxt_api_key else None
        secret = live.ccxt_secret.get_secret_value() if live.ccxt_secret else None
    else:  # bars and markets only: public calls, which sign nothing
        key = secret = _PUBLIC
    broker = CcxtBroker(
        exchange, key, secret, symbols=symbols, quote=quote, urls_override=urls, sandbox=sandbox
    )
    try:
        instruments = broker.instruments(symbols)
        cash = starting_cash(broker, name) if trading else settings.broker.initial_cash
    except BaseException:
        broker.close()
        raise
    if not trading:
        broker.close()
        return Venue(name, broker, feed, instruments, cash)
    return Venue(
        name=name,
        broker=broker,
        feed=feed,
        instruments=instruments,
        starting_cash=cash,
        reports=CcxtOrderReports(
            broker,
            poll_s=live.poll_s,
            rest_overridden=urls is not None,
            ws_urls_override=user_stream_urls(exchange, live.ccxt_url) if live.ccxt_url else None,
            prefer_polling=live.ccxt_prefer_polling,
        ),
        closers=[broker.close],
    )


_PUBLIC = "public-data-only"
"""Stands in for keys where only public data is read (no request is signed)."""
