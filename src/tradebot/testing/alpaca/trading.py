"""Alpaca's trading API v2 over HTTP: account, clock, assets, orders, positions and the
``FILL`` account activities, with Alpaca's status codes and error bodies.

Submission faults (:class:`~tradebot.testing.alpaca.faults.Faults`) apply here: a 429 is
answered before anything is created; a 504 after the order was created; ``ack_delay_s``
delays the answer of an order already created.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from aiohttp import web

from tradebot.testing.alpaca.market import BadRequestError, parse_time
from tradebot.testing.alpaca.orders import (
    INVALID,
    NOT_FOUND,
    UNPROCESSABLE,
    VenueError,
    VenueOrder,
    amount,
    parse_submission,
)
from tradebot.testing.alpaca.positions import account_json, asset_json, position_json
from tradebot.testing.alpaca.shapes import account_id, new_id

if TYPE_CHECKING:
    from tradebot.testing.alpaca.venue import AlpacaVenue

__all__ = ["TradingApi"]

_NEW_YORK = ZoneInfo("America/New_York")


def _json(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


class TradingApi:
    def __init__(self, venue: AlpacaVenue) -> None:
        self._venue = venue
        self._book = venue.book

    def install(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/stream", self._venue.streams.trading)
        r.add_get("/v2/account", self.account)
        r.add_get("/v2/clock", self.clock)
        r.add_get("/v2/assets", self.assets)
        r.add_get("/v2/assets/{symbol}", self.asset)
        r.add_post("/v2/orders", self.submit)
        r.add_get("/v2/orders", self.list_orders)
        r.add_delete("/v2/orders", self.cancel_all)
        r.add_get("/v2/orders:by_client_order_id", self.by_client_id)
        r.add_get("/v2/orders/{order_id}", self.get_order)
        r.add_delete("/v2/orders/{order_id}", self.cancel)
        r.add_patch("/v2/orders/{order_id}", self.replace)
        r.add_get("/v2/positions", self.positions)
        r.add_delete("/v2/positions", self.close_all)
        r.add_get("/v2/positions/{symbol}", self.position)
        r.add_delete("/v2/positions/{symbol}", self.close_position)
        r.add_get("/v2/account/activities/{activity_type}", self.activities)

    # -- account, clock, assets ------------------------------------------------------------

    async def account(self, request: web.Request) -> web.Response:
        return _json(account_json(self._book, self._venue.key_id, self._venue.now()))

    async def clock(self, request: web.Request) -> web.Response:
        """Regular hours, 9:30-16:00 New York on weekdays (holidays are not modelled)."""
        now = self._venue.now().astimezone(_NEW_YORK)
        day = now.date()

        def session(d: Any) -> tuple[datetime, datetime]:
            while d.weekday() >= 5:
                d += timedelta(days=1)
            return (
                datetime.combine(d, time(9, 30), _NEW_YORK),
                datetime.combine(d, time(16), _NEW_YORK),
            )

        opens, closes = session(day)
        if now >= closes:
            opens, closes = session(day + timedelta(days=1))
        is_open = opens <= now < closes
        next_open = session(day + timedelta(days=1))[0] if is_open or now >= opens else opens
        return _json(
            {
                "timestamp": now.isoformat(),
                "is_open": is_open,
                "next_open": next_open.isoformat(),
                "next_close": closes.isoformat(),
            }
        )

    async def assets(self, request: web.Request) -> web.Response:
        return _json([asset_json(s, f) for s, f in self._venue.assets.items()])

    async def asset(self, request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        if symbol not in self._venue.assets:
            return _json({"code": NOT_FOUND, "message": "asset not found"}, 404)
        return _json(asset_json(symbol, self._venue.assets[symbol]))

    # -- orders ----------------------------------------------------------------------------

    async def submit(self, request: web.Request) -> web.Response:
        venue, faults = self._venue, self._venue.faults
        venue.submit_count += 1
        if faults.submit_429 > 0:
            faults.submit_429 -= 1
            return _json({"code": 42910000, "message": "rate limit exceeded"}, 429)
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return _json({"code": 40010000, "message": "request body format is invalid"}, 400)
        try:
            order = parse_submission(body, assets=venue.assets, now=venue.now())
            self._admit(order)
        except VenueError as exc:
            return _json(exc.body(), exc.status)
        reply = order.json()
        self._open(order)
        if faults.submit_504_after_accept > 0:
            faults.submit_504_after_accept -= 1
            return web.Response(status=504, text="upstream request timeout")
        if faults.ack_delay_s > 0:
            await asyncio.sleep(faults.ack_delay_s)
        return _json(reply)

    def _admit(self, order: VenueOrder) -> None:
        """Refuse a duplicate client order id or what the account cannot carry; else hold it."""
        if self._book.by_client_id(order.client_order_id) is not None:
            raise VenueError(422, INVALID, "client_order_id must be unique")
        self._book.check(order)
        self._book.orders[order.id] = order

    def _open(self, order: VenueOrder) -> None:
        """The venue's verdict on trade_updates: ``new``, or ``rejected`` for a symbol in
        ``faults.reject_symbols``."""
        order.updated_at = self._venue.now()
        if order.symbol in self._venue.faults.reject_symbols:
            order.status, order.failed_at = "rejected", order.updated_at
            self._venue.emit([self._book.event("rejected", order)])
        else:
            order.status = "new"
            self._venue.emit([self._book.event("new", order)])

    def _order(self, order_id: str) -> VenueOrder:
        order = self._book.orders.get(order_id)
        if order is None:
            raise VenueError(404, NOT_FOUND, f"order not found for {order_id}")
        return order

    async def list_orders(self, request: web.Request) -> web.Response:
        query = request.query
        status = query.get("status", "open")
        symbols = {s for s in query.get("symbols", "").split(",") if s}
        try:
            after, until = parse_time(query.get("after")), parse_time(query.get("until"))
            limit = min(int(query.get("limit") or 50), 500)
        except (BadRequestError, ValueError):
            return _json({"code": INVALID, "message": "invalid query"}, 422)
        chosen = [
            o
            for o in self._book.orders.values()
            if (status == "all" or o.is_open == (status == "open"))
            and (not symbols or o.symbol in symbols)
            and (after is None or o.created_at > after)
            and (until is None or o.created_at < until)
        ]
        if query.get("direction", "desc") == "desc":
            chosen.reverse()
        return _json([o.json() for o in chosen[:limit]])

    async def by_client_id(self, request: web.Request) -> web.Response:
        order = self._book.by_client_id(request.query.get("client_order_id", ""))
        if order is None:
            return _json({"code": NOT_FOUND, "message": "order not found"}, 404)
        return _json(order.json())

    async def get_order(self, request: web.Request) -> web.Response:
        try:
            return _json(self._order(request.match_info["order_id"]).json())
        except VenueError as exc:
            return _json(exc.body(), exc.status)

    async def cancel(self, request: web.Request) -> web.Response:
        """204 at once with the order ``pending_cancel``; the ``canceled`` event follows."""
        try:
            self._cancel(self._order(request.match_info["order_id"]))
        except VenueError as exc:
            return _json(exc.body(), exc.status)
        return web.Response(status=204)

    def _cancel(self, order: VenueOrder) -> None:
        if not order.is_open:
            raise VenueError(422, UNPROCESSABLE, f'order is already in "{order.status}" state')
        order.status, order.updated_at = "pending_cancel", self._venue.now()

        def done() -> None:
            if order.status == "pending_cancel":
                order.status = "canceled"
                order.canceled_at = order.updated_at = self._venue.now()
                self._venue.emit([self._book.event("canceled", order)])

        asyncio.get_running_loop().call_soon(done)

    async def cancel_all(self, request: web.Request) -> web.Response:
        answers = []
        for order in [o for o in self._book.orders.values() if o.is_open]:
            self._cancel(order)
            answers.append({"id": order.id, "status": 200, "body": None})
        return _json(answers, 207)

    async def replace(self, request: web.Request) -> web.Response:
        """A new order replacing a working, unfilled one; the old one ends ``replaced``."""
        try:
            old = self._order(request.match_info["order_id"])
            body = await request.json()
            if not old.is_open or old.filled_qty > 0 or old.status == "pending_cancel":
                raise VenueError(422, UNPROCESSABLE, "order is not replaceable")
            new = replace(
                old,
                id=new_id("order"),
                client_order_id=str(body.get("client_order_id") or new_id("client")),
                qty=amount(body, "qty") or old.qty,
                limit_price=amount(body, "limit_price") or old.limit_price,
                stop_price=amount(body, "stop_price") or old.stop_price,
                time_in_force=body.get("time_in_force") or old.time_in_force,
                created_at=self._venue.now(),
                status="accepted",
                updated_at=None,
                replaces=old.id,
            )
            old.status = "replaced"  # frees its reservation for the check
            try:
                self._admit(new)
            except VenueError:
                old.status = "new"
                raise
        except (ValueError, ArithmeticError):
            return _json({"code": 40010000, "message": "request body format is invalid"}, 400)
        except VenueError as exc:
            return _json(exc.body(), exc.status)
        old.replaced_by, old.replaced_at = new.id, new.created_at
        old.updated_at = new.created_at
        self._venue.emit([self._book.event("replaced", old)])
        reply = new.json()
        self._open(new)
        return _json(reply)

    # -- positions and activities ----------------------------------------------------------

    async def positions(self, request: web.Request) -> web.Response:
        book = self._book
        return _json([position_json(book, s) for s in sorted(book.positions)])

    async def position(self, request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        if symbol not in self._book.positions:
            return _json({"code": NOT_FOUND, "message": "position does not exist"}, 404)
        return _json(position_json(self._book, symbol))

    def _liquidate(self, symbol: str) -> dict[str, Any]:
        qty = self._book.positions[symbol][0]
        body = {"symbol": symbol, "qty": str(abs(qty)), "type": "market"}
        body |= {"side": "sell" if qty > 0 else "buy", "time_in_force": "day"}
        order = parse_submission(body, assets=self._venue.assets, now=self._venue.now())
        self._admit(order)
        reply = order.json()
        self._open(order)
        return reply

    async def close_position(self, request: web.Request) -> web.Response:
        symbol = request.match_info["symbol"]
        if symbol not in self._book.positions:
            return _json({"code": NOT_FOUND, "message": "position does not exist"}, 404)
        try:
            return _json(self._liquidate(symbol))
        except VenueError as exc:
            return _json(exc.body(), exc.status)

    async def close_all(self, request: web.Request) -> web.Response:
        if request.query.get("cancel_orders", "").lower() == "true":
            for order in [o for o in self._book.orders.values() if o.is_open]:
                self._cancel(order)
        answers: list[dict[str, Any]] = []
        for symbol in sorted(self._book.positions):
            try:
                reply = self._liquidate(symbol)
                answers.append({"symbol": symbol, "status": 200, "body": reply})
            except VenueError as exc:
                answers.append({"symbol": symbol, "status": exc.status, "body": exc.body()})
        return _json(answers, 207)

    async def activities(self, request: web.Request) -> web.Response:
        """``FILL`` activities: ``after``/``until`` (exclusive), ``direction`` (desc by
        default), ``page_size`` (≤ 100) and ``page_token`` (the id of the last activity of
        the previous page)."""
        if request.match_info["activity_type"] != "FILL":
            return _json([])
        query = request.query
        try:
            after, until = parse_time(query.get("after")), parse_time(query.get("until"))
            size = min(int(query.get("page_size") or 100), 100)
        except (BadRequestError, ValueError):
            return _json({"code": INVALID, "message": "invalid query"}, 422)
        items = [
            e.activity(account_id(self._venue.key_id))
            for e in self._book.executions
            if (after is None or e.ts > after) and (until is None or e.ts < until)
        ]
        if query.get("direction", "desc") == "desc":
            items.reverse()
        token = query.get("page_token")
        if token:
            ids = [item["id"] for item in items]
            items = items[ids.index(token) + 1 :] if token in ids else []
        return _json(items[:size])
