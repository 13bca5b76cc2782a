"""The venue's book: orders, a cash account, positions and the executions that change them.

A small matching engine works every open order of a symbol on each published bar, in the
order they arrived: a market order fills at the bar's open; a limit or stop order fills if
the bar reaches its level, at the level or at the open if that is better (a gap); a
stop-limit becomes a limit once its stop is reached. An order only meets bars published
after it arrived. Commission is 0 (Alpaca equities). Every change produces the
trade_updates events Alpaca would send, returned to the caller to deliver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from tradebot.domain.bar import Bar
from tradebot.testing.alpaca.orders import FORBIDDEN, VenueError, VenueOrder
from tradebot.testing.alpaca.shapes import fmt, new_id, price, rfc3339

__all__ = ["Book", "Event", "Execution"]

Event = dict[str, Any]
"""One trade_updates ``data`` object: ``event``, ``order``, ``timestamp`` and, for fills,
``execution_id``, ``price``, ``qty`` (this execution's), ``position_qty``."""

_NANO = Decimal("0.000000001")


def _working(order: VenueOrder) -> bool:
    """Open and not being cancelled: what still reserves cash or shares."""
    return order.is_open and order.status != "pending_cancel"


@dataclass(frozen=True)
class Execution:
    id: str
    order_id: str
    ts: datetime
    symbol: str
    side: str
    qty: Decimal
    price: Decimal
    cum_qty: Decimal
    leaves_qty: Decimal
    order_status: str

    def activity(self, account_id: str) -> dict[str, Any]:
        """The ``FILL`` account activity; its id ends with this execution's id (the
        trade_updates ``execution_id``), so a client can match the two."""
        stamp = self.ts.strftime("%Y%m%d%H%M%S") + f"{self.ts.microsecond // 1000:03d}"
        return {
            "id": f"{stamp}::{self.id}",
            "account_id": account_id,
            "activity_type": "FILL",
            "transaction_time": rfc3339(self.ts),
            "type": "fill" if self.order_status == "filled" else "partial_fill",
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "side": self.side,
            "symbol": self.symbol,
            "leaves_qty": fmt(self.leaves_qty),
            "order_id": self.order_id,
            "cum_qty": fmt(self.cum_qty),
            "order_status": self.order_status,
        }


@dataclass
class Book:
    cash: Decimal
    now: Callable[[], datetime]
    orders: dict[str, VenueOrder] = field(default_factory=dict)
    positions: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    """symbol -> (quantity held, average entry price)."""
    last_price: dict[str, Decimal] = field(default_factory=dict)
    executions: list[Execution] = field(default_factory=list)
    price_of: Callable[[float], Decimal] = price
    """A bar price as the venue fills at it (cents by default)."""

    def by_client_id(self, client_order_id: str) -> VenueOrder | None:
        return next((o for o in self.orders.values() if o.client_order_id == client_order_id), None)

    def buying_power(self) -> Decimal:
        """Cash less what open buy orders may cost (Alpaca reserves it at submission)."""
        return self.cash - sum(
            (self._cost(o) for o in self.orders.values() if _working(o) and o.side == "buy"),
            Decimal(0),
        )

    def equity(self) -> Decimal:
        return self.cash + self.market_value()

    def market_value(self) -> Decimal:
        return sum(
            (q * self.last_price.get(s, avg) for s, (q, avg) in self.positions.items()),
            Decimal(0),
        )

    def _cost(self, order: VenueOrder) -> Decimal:
        if order.notional is not None:
            return order.notional
        assert order.qty is not None
        level = order.limit_price or order.stop_price
        estimate = max(level or Decimal(0), self.last_price.get(order.symbol, Decimal(0)))
        return (order.qty - order.filled_qty) * estimate

    def check(self, order: VenueOrder) -> None:
        """Alpaca's 403s: a buy the account cannot pay for, a sale of shares not held."""
        if order.side == "buy":
            if self._cost(order) > self.buying_power():
                raise VenueError(403, FORBIDDEN, "insufficient buying power")
            return
        held = self.positions.get(order.symbol, (Decimal(0), Decimal(0)))[0]
        committed = sum(
            (
                (o.qty or Decimal(0)) - o.filled_qty
                for o in self.orders.values()
                if _working(o) and o.side == "sell" and o.symbol == order.symbol
            ),
            Decimal(0),
        )
        available = held - committed
        wanted = order.qty if order.qty is not None else Decimal(0)
        if available <= 0 or wanted > available:
            raise VenueError(
                403,
                FORBIDDEN,
                f"insufficient qty available for order (requested: {fmt(wanted)}, "
                f"available: {fmt(max(available, Decimal(0)))})",
            )

    def event(self, kind: str, order: VenueOrder, **extra: Any) -> Event:
        return {"event": kind, "timestamp": rfc3339(self.now()), "order": order.json(), **extra}

    def on_bar(self, bar: Bar, *, split: bool) -> list[list[Event]]:
        """Work every open order of ``bar.symbol`` on ``bar``; the events of each order that
        traded, one list per order (``split``: in two executions)."""
        self.last_price[bar.symbol] = price(bar.close)
        groups: list[list[Event]] = []
        for order in list(self.orders.values()):
            if not order.is_open or order.symbol != bar.symbol or order.status == "pending_new":
                continue
            level = self._fill_price(order, bar)
            if level is not None:
                groups.append(self._fill(order, level, split=split))
        return groups

    def _fill_price(self, order: VenueOrder, bar: Bar) -> Decimal | None:
        price_of = self.price_of
        o, h, low = price_of(bar.open), price_of(bar.high), price_of(bar.low)
        buy = order.side == "buy"
        if order.type == "market":
            return o
        if order.type in ("stop", "stop_limit") and not order.triggered:
            stop = order.stop_price
            assert stop is not None
            if (buy and h < stop) or (not buy and low > stop):
                return None
            if order.type == "stop":
                return max(stop, o) if buy else min(stop, o)
            order.triggered = True
            start = max(stop, o) if buy else min(stop, o)
            limit = order.limit_price
            assert limit is not None
            if (buy and start <= limit) or (not buy and start >= limit):
                return start
        limit = order.limit_price
        assert limit is not None
        if buy:
            return min(limit, o) if low <= limit else None
        return max(limit, o) if h >= limit else None

    def _fill(self, order: VenueOrder, at: Decimal, *, split: bool) -> list[Event]:
        if order.qty is None:  # notional: the shares it buys at this price
            assert order.notional is not None
            order.qty = (order.notional / at).quantize(_NANO, rounding=ROUND_DOWN)
        remaining = order.qty - order.filled_qty
        parts = [remaining]
        if split:
            whole = remaining == remaining.to_integral_value()
            first = (remaining / 2).quantize(Decimal(1) if whole else _NANO, ROUND_DOWN)
            if 0 < first < remaining:
                parts = [first, remaining - first]
        return [self._execute(order, qty, at) for qty in parts]

    def _execute(self, order: VenueOrder, qty: Decimal, at: Decimal) -> Event:
        ts = self.now()
        assert order.qty is not None
        cost = order.filled_avg_price or Decimal(0)
        order.filled_avg_price = (cost * order.filled_qty + at * qty) / (order.filled_qty + qty)
        order.filled_avg_price = order.filled_avg_price.quantize(Decimal("0.0001"))
        order.filled_qty += qty
        done = order.filled_qty >= order.qty
        order.status = "filled" if done else "partially_filled"
        order.updated_at = ts
        if done:
            order.filled_at = ts
        held, avg = self.positions.get(order.symbol, (Decimal(0), Decimal(0)))
        if order.side == "buy":
            self.cash -= qty * at
            avg = (held * avg + qty * at) / (held + qty)
            held += qty
        else:
            self.cash += qty * at
            held -= qty
        if held == 0:
            self.positions.pop(order.symbol, None)
        else:
            self.positions[order.symbol] = (held, avg)
        execution = Execution(
            id=new_id("execution"),
            order_id=order.id,
            ts=ts,
            symbol=order.symbol,
            side=order.side,
            qty=qty,
            price=at,
            cum_qty=order.filled_qty,
            leaves_qty=order.qty - order.filled_qty,
            order_status=order.status,
        )
        self.executions.append(execution)
        return self.event(
            "fill" if done else "partial_fill",
            order,
            execution_id=execution.id,
            price=fmt(at),
            qty=fmt(qty),
            position_qty=fmt(held),
        )
