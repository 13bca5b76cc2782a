"""The fake Binance venue's endpoints, with Binance's documented answer shapes.

Public: ping, time, exchangeInfo, klines, ticker/price. Signed (the venue authenticates
first): order (POST/GET/DELETE), openOrders, allOrders, account, myTrades.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tradebot.domain.enums import Timeframe
from tradebot.testing.binance.book import SymbolSpec, VenueError, kline_row

if TYPE_CHECKING:
    from tradebot.testing.binance.venue import BinanceVenue

__all__ = ["public_routes", "signed_routes"]

Route = tuple[str, str, Callable[..., Awaitable[web.StreamResponse]]]
_INTERVALS = {t.value: t for t in Timeframe}


def _json(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(value, status=status, headers=headers)


def _symbol_info(spec: SymbolSpec) -> dict[str, Any]:
    return {
        "symbol": spec.id,
        "status": "TRADING",
        "baseAsset": spec.base,
        "baseAssetPrecision": 8,
        "quoteAsset": spec.quote,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
        "filters": [
            {
                "filterType": "PRICE_FILTER",
                "minPrice": f"{spec.tick_size:f}",
                "maxPrice": "1000000.00000000",
                "tickSize": f"{spec.tick_size:f}",
            },
            {
                "filterType": "LOT_SIZE",
                "minQty": f"{spec.min_qty:f}",
                "maxQty": "9000.00000000",
                "stepSize": f"{spec.step_size:f}",
            },
            {
                "filterType": "NOTIONAL",
                "minNotional": f"{spec.min_notional:f}",
                "applyMinToMarket": True,
                "maxNotional": "9000000.00000000",
                "applyMaxToMarket": False,
                "avgPriceMins": 5,
            },
        ],
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def public_routes(venue: BinanceVenue) -> list[Route]:
    book = venue.book

    async def ping(_: web.Request) -> web.Response:
        return _json({})

    async def server_time(_: web.Request) -> web.Response:
        return _json({"serverTime": venue.now_ms()})

    async def exchange_info(_: web.Request) -> web.Response:
        symbols = [_symbol_info(s) for s in book.specs.values()]
        return _json(
            {
                "timezone": "UTC",
                "serverTime": venue.now_ms(),
                "rateLimits": [],
                "exchangeFilters": [],
                "symbols": symbols,
            }
        )

    async def klines(request: web.Request) -> web.Response:
        q = request.query
        spec = book.spec(q.get("symbol"))
        timeframe = _INTERVALS.get(q.get("interval", ""))
        if timeframe is None:
            raise VenueError(400, -1120, "Invalid interval.")
        limit = min(int(q.get("limit", 500)), 1000)
        start = int(q.get("startTime", 0))
        end = int(q.get("endTime", 2**62))
        with book.lock:
            bars = [b for b in book.klines.get(spec.id, []) if b.timeframe is timeframe]
        rows = [kline_row(b) for b in bars]
        forming = _forming_row(venue, timeframe, rows)
        if forming is not None:
            rows.append(forming)
        rows = [r for r in rows if start <= int(str(r[0])) <= end]
        if "startTime" not in q:
            return _json(rows[-limit:])
        return _json(rows[:limit])

    async def ticker_price(request: web.Request) -> web.Response:
        symbol = request.query.get("symbol")
        with book.lock:
            prices = {s: book.last_price(s) for s in book.specs}
        if symbol is not None:
            book.spec(symbol)
            return _json({"symbol": symbol, "price": f"{prices[symbol] or 0:f}"})
        return _json([{"symbol": s, "price": f"{p or 0:f}"} for s, p in prices.items()])

    return [
        ("GET", "/api/v3/ping", ping),
        ("GET", "/api/v3/time", server_time),
        ("GET", "/api/v3/exchangeInfo", exchange_info),
        ("GET", "/api/v3/klines", klines),
        ("GET", "/api/v3/ticker/price", ticker_price),
    ]


def _forming_row(venue: BinanceVenue, timeframe: Timeframe, rows: list[Any]) -> Any:
    """The candle still forming now (Binance always serves it last), if the venue shows one:
    a client must not take it for a closed bar."""
    if not venue.serve_forming:
        return None
    span = timeframe.seconds * 1000
    open_ms = venue.now_ms() // span * span
    if rows and int(rows[-1][0]) >= open_ms:
        return None
    last_close = float(rows[-1][4]) if rows else 1.0
    value = repr(last_close)
    return [open_ms, value, value, value, value, "0", open_ms + span - 1, "0", 0, "0", "0", "0"]


def signed_routes(venue: BinanceVenue) -> list[Route]:
    book = venue.book

    async def new_order(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        faults = venue.faults
        venue.record_submit(params)
        if faults.ack_delay_s:
            await asyncio.sleep(faults.ack_delay_s)
        if faults.submit_429 > 0:
            faults.submit_429 -= 1
            return _json(
                {"code": -1003, "msg": "Too many requests; current limit is 6000 per minute."},
                status=429,
                headers={"Retry-After": "1"},
            )
        order = book.create(params, venue.now_ms())
        await venue.announce_async()
        if faults.submit_5xx_after_accept > 0:
            faults.submit_5xx_after_accept -= 1
            return _json(
                {
                    "code": -1007,
                    "msg": "Timeout waiting for response from backend server. "
                    "Send status unknown; execution status unknown.",
                },
                status=503,
            )
        with book.lock:
            body = order.to_json()
        body["transactTime"] = order.time_ms
        body["fills"] = []
        return _json(body)

    async def get_order(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        spec = book.spec(params.get("symbol"))
        order = book.find(spec.id, params.get("orderId"), params.get("origClientOrderId"))
        with book.lock:
            return _json(order.to_json())

    async def cancel_order(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        spec = book.spec(params.get("symbol"))
        try:
            order = book.find(spec.id, params.get("orderId"), params.get("origClientOrderId"))
        except VenueError:
            raise VenueError(400, -2011, "Unknown order sent.") from None
        book.cancel(order, venue.now_ms())
        await venue.announce_async()
        with book.lock:
            body = order.to_json()
        # Binance: clientOrderId names the cancel request, origClientOrderId the order
        body["origClientOrderId"] = body["clientOrderId"]
        body["clientOrderId"] = params.get("newClientOrderId") or f"cancel-{order.order_id}"
        body["transactTime"] = order.update_ms
        return _json(body)

    async def open_orders(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        symbol = params.get("symbol")
        if symbol is not None:
            book.spec(symbol)
        with book.lock:
            found = [o for o in book.orders if o.open and symbol in (None, o.symbol)]
            return _json([o.to_json() for o in found])

    async def all_orders(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        spec = book.spec(params.get("symbol"))
        start, limit = int(params.get("startTime", 0)), min(int(params.get("limit", 500)), 1000)
        from_id = int(params.get("orderId", 0))
        with book.lock:
            found = [
                o
                for o in book.orders
                if o.symbol == spec.id and o.time_ms >= start and o.order_id >= from_id
            ]
            return _json([o.to_json() for o in found[:limit]])

    async def account(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        with book.lock:
            balances = [
                {"asset": a, "free": f"{v:f}", "locked": "0.00000000"}
                for a, v in book.balances.items()
            ]
        return _json(
            {
                "makerCommission": 10,
                "takerCommission": 10,
                "buyerCommission": 0,
                "sellerCommission": 0,
                "commissionRates": {
                    "maker": "0.00100000",
                    "taker": "0.00100000",
                    "buyer": "0.00000000",
                    "seller": "0.00000000",
                },
                "canTrade": True,
                "canWithdraw": True,
                "canDeposit": True,
                "brokered": False,
                "requireSelfTradePrevention": False,
                "preventSor": False,
                "updateTime": venue.now_ms(),
                "accountType": "SPOT",
                "balances": balances,
                "permissions": ["SPOT"],
                "uid": 354937868,
            }
        )

    async def my_trades(_: web.Request, params: dict[str, str]) -> web.StreamResponse:
        spec = book.spec(params.get("symbol"))
        start = int(params.get("startTime", 0))
        end = int(params.get("endTime", 2**62))
        from_id = int(params.get("fromId", 0))
        order_id = params.get("orderId")
        limit = min(int(params.get("limit", 500)), 1000)
        with book.lock:
            found = [
                t
                for t in book.trades
                if t.symbol == spec.id
                and start <= t.time_ms <= end
                and t.id >= from_id
                and order_id in (None, str(t.order_id))
            ]
            return _json([t.to_json() for t in found[:limit]])

    return [
        ("POST", "/api/v3/order", new_order),
        ("GET", "/api/v3/order", get_order),
        ("DELETE", "/api/v3/order", cancel_order),
        ("GET", "/api/v3/openOrders", open_orders),
        ("GET", "/api/v3/allOrders", all_orders),
        ("GET", "/api/v3/account", account),
        ("GET", "/api/v3/myTrades", my_trades),
    ]
