"""Executions over the exchange's user data stream (ccxt.pro ``watch_my_trades`` and
``watch_orders``), where it has one.

:func:`user_client` decides whether to stream at all: ccxt.pro must have the exchange
with ``watchMyTrades`` and ``watchOrders``, and the streams' URLs must belong with the
broker's REST client (no REST override, or a ``ws_urls_override`` beside it that names
the spot WebSocket API too: a local REST fake is never mixed with the real exchange's
streams; ccxt 4.5 subscribes Binance spot's user data on ``urls['api']['ws']['ws-api']``,
not on the market streams' URL). The client it builds shares the broker's keys.

:func:`watch_executions` keeps the subscription and hands on what arrives. After every
(re)connection, once the subscription is confirmed (``authenticate`` returns only then),
it calls ``gap``: the polling path's fetch of the trades since the last one seen, so a
fill made while the stream was down arrives once. A reconnect is seen by the client's
count of connections (:func:`~tradebot.adapters.ccxt.pro.connections`) even where no
watch was waiting to be told of the drop. What is handed on is read from the client's
caches (``myTrades``, ``orders``) after every wake, so an event that came while no watch
was waiting is not lost; the receiver drops repeats. A failure is reported once through the
:class:`~tradebot.adapters.ccxt.watching.StreamLink` and retried with backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from tradebot.adapters.ccxt.convert import broker_error
from tradebot.adapters.ccxt.polling import backoff_s
from tradebot.adapters.ccxt.pro import connections, make_pro_exchange, streams_ohlcv, ws_api_urls
from tradebot.adapters.ccxt.watching import StreamLink

__all__ = ["user_client", "user_stream_urls", "watch_executions"]

_SOURCE = "user stream"


def user_stream_urls(exchange_id: str, base: str) -> dict[str, Any]:
    """The ``urls['api']['ws']`` entries that point ``exchange_id``'s spot user data
    stream at ``base`` (``live.ccxt_url``): the WebSocket API ``ws(s)://<host>/ws-api/v3``
    and the market streams ``ws(s)://<host>/ws``."""
    urls: dict[str, Any] = dict(ws_api_urls(exchange_id, base))
    urls["ws-api"] = {"spot": urls["spot"] + "-api/v3"}
    return urls


def user_client(
    exchange_id: str,
    rest_client: Any,
    *,
    rest_overridden: bool,
    ws_urls_override: Mapping[str, Any] | None,
) -> Any | None:
    """A ccxt.pro client for the broker's account that streams its executions, or None
    where polling must do (module docstring)."""
    if not streams_ohlcv(exchange_id):
        return None
    if rest_overridden:
        ws_api = (ws_urls_override or {}).get("ws-api")
        if not isinstance(ws_api, Mapping) or not ws_api.get("spot"):
            return None  # the user stream would go to the real exchange
    api = rest_client.urls.get("api")
    rest = {k: v for k, v in api.items() if k != "ws"} if isinstance(api, dict) else {}
    pro = make_pro_exchange(
        exchange_id,
        urls_override=rest if rest_overridden else None,
        ws_urls_override=ws_urls_override,
        sandbox=bool(getattr(rest_client, "isSandboxModeEnabled", False)) and not rest_overridden,
    )
    if pro.has.get("watchMyTrades") is not True or pro.has.get("watchOrders") is not True:
        return None
    pro.apiKey, pro.secret = rest_client.apiKey, rest_client.secret
    return pro


async def watch_executions(
    exchange: Any,
    *,
    link: StreamLink,
    on_trades: Callable[[list[dict[str, Any]]], Awaitable[None]],
    on_orders: Callable[[list[dict[str, Any]]], Awaitable[None]],
    gap: Callable[[], Awaitable[None]],
    exchange_id: str,
    quiet_s: float = 5.0,
    max_backoff_s: float = 30.0,
) -> None:
    """Hand on the account's trades and order updates as they arrive, until cancelled;
    ``gap`` after every (re)connection (module docstring)."""
    connected, failures = -1, 0
    trades: asyncio.Future[Any] | None = None
    orders: asyncio.Future[Any] | None = None
    try:
        while True:
            try:
                await exchange.load_markets()  # events are parsed with them: unified symbols
                await exchange.authenticate({"type": "spot"})  # subscribed on this connection
                if connections(exchange) != connected:
                    connected = connections(exchange)
                    await gap()
                if failures:
                    failures = 0
                    link.up(_SOURCE)
                if trades is None:
                    trades = asyncio.ensure_future(exchange.watch_my_trades())
                if orders is None:
                    orders = asyncio.ensure_future(exchange.watch_orders())
                done, _ = await asyncio.wait(
                    {trades, orders}, timeout=quiet_s, return_when=asyncio.FIRST_COMPLETED
                )
                for finished in done:
                    _result(finished)  # raises what failed it
                trades = None if trades in done else trades
                orders = None if orders in done else orders
                # the caches, not the watches' answers: an event that came while no watch
                # was waiting resolved nothing but is in the cache (repeats are dropped)
                await on_trades(list(getattr(exchange, "myTrades", None) or []))
                await on_orders(list(getattr(exchange, "orders", None) or []))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                for pending in (trades, orders):
                    if pending is not None:
                        pending.cancel()
                trades = orders = None
                failures += 1
                link.down(_SOURCE, broker_error(exc, "user stream", exchange_id).message)
                await asyncio.sleep(backoff_s(failures, 0.1, max_backoff_s))
    finally:
        for pending in (trades, orders):
            if pending is not None:
                pending.cancel()


def _result(finished: asyncio.Future[Any]) -> Any:
    if finished.cancelled():  # ccxt cancels its futures when a client closes
        raise ConnectionError("the stream was closed")
    return finished.result()
