"""ccxt.pro clients: the websocket side of an exchange, where it has one.

A ccxt.pro client is also a full REST client, so a feed that streams bars keeps one client
for both (history and gap fills by ``fetch_ohlcv``, live candles by ``watch_ohlcv``). It is
configured exactly as :func:`~tradebot.adapters.ccxt.exchange.make_exchange` configures the
REST one (rate limiter, timeout, spot-only options), and ``ws_urls_override`` is merged into
``urls['api']['ws']`` as ``urls_override`` is into ``urls['api']``.

ccxt's unified candle has no "closed" flag, but Binance's kline says it (``"k": {"x":
true}``): the client built here notes, per market and interval, the open time of the last
kline the exchange called closed (:func:`closed_through`), so a closed candle is emitted
the moment the exchange closes it rather than when the next one starts. It also counts the
connections it opens (:func:`connections`): a reconnect is then seen even where no watch
was waiting to be told of the drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ccxt.pro as ccxt_pro

from tradebot.adapters.ccxt.exchange import client_config, point
from tradebot.domain.errors import ConfigError
from tradebot.ports import COMMAND_TIMEOUT_S

__all__ = ["closed_through", "connections", "make_pro_exchange", "streams_ohlcv", "ws_api_urls"]

_CLOSED = "tradebot_closed_klines"
_CONNECTIONS = "tradebot_connections"


def ws_api_urls(exchange_id: str, base: str) -> dict[str, str]:
    """The ``urls['api']['ws']`` entries that point ``exchange_id``'s spot streams at
    ``base`` (``live.ccxt_url``, an ``http(s)://`` root serving Binance's layout, such as
    :class:`tradebot.testing.binance.BinanceVenue`): ``ws(s)://<host>/ws``."""
    if exchange_id != "binance":
        raise ConfigError(
            f"live.ccxt_url points binance's streams elsewhere, not {exchange_id}'s",
            "leave live.ccxt_url unset for other exchanges",
        )
    root = base.rstrip("/")
    scheme, sep, rest = root.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise ConfigError(
            f"live.ccxt_url must be an http(s) URL, not {base!r}", "e.g. http://127.0.0.1:8080"
        )
    ws = f"{'wss' if scheme == 'https' else 'ws'}://{rest}/ws"
    return {"spot": ws, "margin": ws}


def streams_ohlcv(exchange_id: str) -> bool:
    """Whether ccxt.pro has ``exchange_id`` at all (its ``has['watchOHLCV']`` is read on
    the client, :func:`make_pro_exchange`)."""
    return exchange_id in ccxt_pro.exchanges and hasattr(ccxt_pro, exchange_id)


def make_pro_exchange(
    exchange_id: str,
    *,
    urls_override: Mapping[str, str] | None = None,
    ws_urls_override: Mapping[str, str] | None = None,
    timeout_s: float = COMMAND_TIMEOUT_S,
    options: Mapping[str, Any] | None = None,
    sandbox: bool = False,
) -> Any:
    """A ccxt.pro client for ``exchange_id`` configured as ``make_exchange`` configures the
    REST one (public data only: no keys), noting the klines the exchange calls closed."""
    if not streams_ohlcv(exchange_id):
        raise ConfigError(
            f"ccxt.pro has no {exchange_id!r}", "poll its bars (live feed prefer_polling)"
        )
    config = client_config(timeout_s, options)
    exchange = _hooked(getattr(ccxt_pro, exchange_id))(config)
    setattr(exchange, _CLOSED, {})
    overridden = bool(urls_override or ws_urls_override)
    api = point(exchange, exchange_id, urls_override, sandbox=sandbox and not overridden)
    if ws_urls_override:
        ws = api.get("ws")
        api["ws"] = {**ws, **ws_urls_override} if isinstance(ws, dict) else dict(ws_urls_override)
    exchange.urls["api"] = api
    return exchange


def closed_through(exchange: Any, symbol: str, timeframe: str) -> int | None:
    """The open time (ms) of the last candle of ``symbol`` at ``timeframe`` that the
    exchange's own stream called closed, or None where it never says so."""
    noted: dict[tuple[str, str], int] = getattr(exchange, _CLOSED, {})
    if not noted:
        return None
    market = exchange.markets.get(symbol) if exchange.markets else None
    if market is None:
        return None
    interval = exchange.timeframes.get(timeframe, timeframe)
    return noted.get((str(market["id"]), str(interval)))


def connections(exchange: Any) -> int:
    """How many websocket connections the client has opened so far: a loop that sees the
    count move knows a reconnect happened, even one between two of its watches (ccxt
    reconnects quietly on the next watch when a drop rejected no waiting future)."""
    return int(getattr(exchange, _CONNECTIONS, 0))


_HOOKED: dict[type, type] = {}


def _hooked(cls: type) -> type:
    """``cls`` with two notes taken (one subclass per class): connections opened
    (``on_connected``, ccxt's hook for this) and klines its exchange called closed
    (Binance's ``"k": {"x": true}``, noted before ccxt's own handler; other exchanges'
    messages do not match and note nothing)."""
    made = _HOOKED.get(cls)
    if made is not None:
        return made
    members: dict[str, Any] = {}
    base_connected = cls.on_connected  # type: ignore[attr-defined]

    def on_connected(self: Any, client: Any, message: Any = None) -> Any:
        setattr(self, _CONNECTIONS, connections(self) + 1)
        return base_connected(self, client, message)

    members["on_connected"] = on_connected
    base_handler = getattr(cls, "handle_ohlcv", None)
    if base_handler is not None:

        def handle_ohlcv(self: Any, client: Any, message: Any) -> Any:
            _note(getattr(self, _CLOSED, None), message)
            return base_handler(self, client, message)

        members["handle_ohlcv"] = handle_ohlcv
    made = type(cls.__name__, (cls,), members)
    _HOOKED[cls] = made
    return made


def _note(noted: dict[tuple[str, str], int] | None, message: Any) -> None:
    kline = message.get("k") if isinstance(message, dict) else None
    if noted is None or not isinstance(kline, dict) or kline.get("x") is not True:
        return
    try:
        key, opened = (str(kline["s"]), str(kline["i"])), int(kline["t"])
    except (KeyError, TypeError, ValueError):
        return
    if opened > noted.get(key, -1):
        noted[key] = opened
