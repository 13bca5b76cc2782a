"""The fake Binance venue's state: symbols, klines, orders, trades and balances.

Kept apart from the HTTP layer so the matching rules read on their own. Every method takes
the book's lock: the server's loop thread answers requests while a test thread publishes
klines. Matching happens only when a kline is published (:meth:`Book.publish`): a market
order fills at that kline's open, a limit order when the kline's range crosses its price
(at the better of the limit and the open). Fees are 0.1 % of the quote amount, charged in
the quote asset on both sides.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from tradebot.domain.bar import Bar

__all__ = ["FEE_RATE", "Book", "SymbolSpec", "VenueError", "VenueOrder", "VenueTrade", "kline_row"]

FEE_RATE = Decimal("0.001")
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    """One spot market as the venue lists it (``BTCUSDT`` = ``BTC`` + ``USDT``)."""

    base: str
    quote: str
    tick_size: Decimal = Decimal("0.01")
    step_size: Decimal = Decimal("0.00001")
    min_qty: Decimal = Decimal("0.00001")
    min_notional: Decimal = Decimal("5")

    @property
    def id(self) -> str:
        return self.base + self.quote


@dataclass(slots=True)
class VenueOrder:
    """An order as the venue holds it (Binance's field names, Decimal values)."""

    order_id: int
    client_order_id: str
    symbol: str
    side: str  # BUY | SELL
    type: str  # MARKET | LIMIT
    orig_qty: Decimal
    price: Decimal
    time_in_force: str
    time_ms: int
    status: str = "NEW"
    executed_qty: Decimal = _ZERO
    cum_quote: Decimal = _ZERO
    update_ms: int = 0
    partial_done: bool = False

    @property
    def open(self) -> bool:
        return self.status in ("NEW", "PARTIALLY_FILLED")

    def to_json(self) -> dict[str, object]:
        """The order as ``GET /api/v3/order`` shows it."""
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_order_id,
            "price": f"{self.price:f}",
            "origQty": f"{self.orig_qty:f}",
            "executedQty": f"{self.executed_qty:f}",
            "cummulativeQuoteQty": f"{self.cum_quote:f}",
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "stopPrice": "0.00000000",
            "icebergQty": "0.00000000",
            "time": self.time_ms,
            "updateTime": self.update_ms or self.time_ms,
            "isWorking": True,
            "workingTime": self.time_ms,
            "origQuoteOrderQty": "0.00000000",
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }


@dataclass(frozen=True, slots=True)
class VenueTrade:
    """One execution (``GET /api/v3/myTrades``)."""

    id: int
    order_id: int
    symbol: str
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time_ms: int
    is_buyer: bool

    def to_json(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "id": self.id,
            "orderId": self.order_id,
            "orderListId": -1,
            "price": f"{self.price:f}",
            "qty": f"{self.qty:f}",
            "quoteQty": f"{self.price * self.qty:f}",
            "commission": f"{self.commission:f}",
            "commissionAsset": self.commission_asset,
            "time": self.time_ms,
            "isBuyer": self.is_buyer,
            "isMaker": False,
            "isBestMatch": True,
        }


class VenueError(Exception):
    """A Binance error answer: HTTP status, Binance code and message."""

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(msg)
        self.status, self.code, self.msg = status, code, msg


@dataclass
class Book:
    """Symbols, klines, orders, trades and balances of one fake account."""

    specs: dict[str, SymbolSpec]
    balances: dict[str, Decimal]
    partial_fills: bool = False
    klines: dict[str, list[Bar]] = field(default_factory=dict)
    orders: list[VenueOrder] = field(default_factory=list)
    trades: list[VenueTrade] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next_order: int = 1
    _next_trade: int = 1

    def spec(self, symbol: str | None) -> SymbolSpec:
        found = self.specs.get(symbol or "")
        if found is None:
            raise VenueError(400, -1121, "Invalid symbol.")
        return found

    def last_price(self, symbol: str) -> Decimal | None:
        bars = self.klines.get(symbol)
        return Decimal(repr(bars[-1].close)) if bars else None

    def find(self, symbol: str, order_id: str | None, client_id: str | None) -> VenueOrder:
        with self.lock:
            for order in self.orders:
                if order.symbol != symbol:
                    continue
                if (order_id is not None and str(order.order_id) == order_id) or (
                    client_id is not None and order.client_order_id == client_id
                ):
                    return order
        raise VenueError(400, -2013, "Order does not exist.")

    def create(self, params: dict[str, str], now_ms: int) -> VenueOrder:
        """Validate and book a new order (Binance's filters and error codes)."""
        spec = self.spec(params.get("symbol"))
        side, kind = params.get("side", ""), params.get("type", "")
        if side not in ("BUY", "SELL"):
            raise VenueError(400, -1102, "Mandatory parameter 'side' was not sent.")
        if kind not in ("MARKET", "LIMIT"):
            raise VenueError(400, -1116, "Invalid orderType.")
        qty = _decimal(params.get("quantity"), "quantity")
        price = _decimal(params.get("price"), "price") if kind == "LIMIT" else _ZERO
        if qty % spec.step_size or qty < spec.min_qty:
            raise VenueError(400, -1013, "Filter failure: LOT_SIZE")
        if kind == "LIMIT" and price % spec.tick_size:
            raise VenueError(400, -1013, "Filter failure: PRICE_FILTER")
        reference = price if kind == "LIMIT" else self.last_price(spec.id)
        if reference is not None and qty * reference < spec.min_notional:
            raise VenueError(400, -1013, "Filter failure: NOTIONAL")
        with self.lock:
            client_id = params.get("newClientOrderId") or f"fake-{self._next_order}"
            # Binance: "a unique id among open orders" (a closed order's id may be reused)
            if any(o.client_order_id == client_id and o.open for o in self.orders):
                raise VenueError(400, -2010, "Duplicate order sent.")
            if not self._affordable(spec, side, qty, reference):
                raise VenueError(
                    400, -2010, "Account has insufficient balance for requested action."
                )
            order = VenueOrder(
                order_id=self._next_order,
                client_order_id=client_id,
                symbol=spec.id,
                side=side,
                type=kind,
                orig_qty=qty,
                price=price,
                time_in_force=params.get("timeInForce", "GTC") if kind == "LIMIT" else "GTC",
                time_ms=now_ms,
            )
            self._next_order += 1
            self.orders.append(order)
            return order

    def cancel(self, order: VenueOrder, now_ms: int) -> VenueOrder:
        with self.lock:
            if not order.open:
                raise VenueError(400, -2011, "Unknown order sent.")
            order.status, order.update_ms = "CANCELED", now_ms
            return order

    def publish(self, symbol: str, bar: Bar, *, match: bool = True) -> None:
        """Append a closed kline and (``match``) work the open orders of ``symbol`` on it."""
        with self.lock:
            self.klines.setdefault(symbol, []).append(bar)
            if match:
                self.match(symbol, bar)

    def match(self, symbol: str, bar: Bar) -> None:
        """Work the open orders of ``symbol`` against ``bar`` without showing it in the
        klines (a rehearsal that orders a bar's fills before the bar itself)."""
        with self.lock:
            fill_ms = int(bar.ts.timestamp() * 1000)
            for order in [o for o in self.orders if o.symbol == symbol and o.open]:
                price = _cross(order, bar)
                if price is not None:
                    self._fill(order, price, fill_ms)

    def _affordable(self, spec: SymbolSpec, side: str, qty: Decimal, price: Decimal | None) -> bool:
        if side == "SELL":
            return self.balances.get(spec.base, _ZERO) >= qty
        if price is None:
            return True  # nothing to price a market buy against yet: checked at the fill
        return self.balances.get(spec.quote, _ZERO) >= qty * price * (1 + FEE_RATE)

    def _fill(self, order: VenueOrder, price: Decimal, ts_ms: int) -> None:
        spec = self.specs[order.symbol]
        price = price.quantize(spec.tick_size)
        remaining = order.orig_qty - order.executed_qty
        qty = remaining
        if self.partial_fills and not order.partial_done:
            half = (order.orig_qty / 2).quantize(spec.step_size, rounding=ROUND_DOWN)
            if _ZERO < half < remaining:
                qty, order.partial_done = half, True
        quote = qty * price
        fee = (quote * FEE_RATE).quantize(Decimal("0.00000001"))
        base_bal = self.balances.get(spec.base, _ZERO)
        quote_bal = self.balances.get(spec.quote, _ZERO)
        if order.side == "BUY":
            if quote_bal < quote + fee:
                order.status, order.update_ms = "EXPIRED", ts_ms
                return
            self.balances[spec.quote] = quote_bal - quote - fee
            self.balances[spec.base] = base_bal + qty
        else:
            if base_bal < qty:
                order.status, order.update_ms = "EXPIRED", ts_ms
                return
            self.balances[spec.base] = base_bal - qty
            self.balances[spec.quote] = quote_bal + quote - fee
        self.trades.append(
            VenueTrade(
                id=self._next_trade,
                order_id=order.order_id,
                symbol=order.symbol,
                price=price,
                qty=qty,
                commission=fee,
                commission_asset=spec.quote,
                time_ms=ts_ms,
                is_buyer=order.side == "BUY",
            )
        )
        self._next_trade += 1
        order.executed_qty += qty
        order.cum_quote += quote
        order.update_ms = ts_ms
        order.status = "FILLED" if order.executed_qty >= order.orig_qty else "PARTIALLY_FILLED"


def kline_row(bar: Bar) -> list[object]:
    """A bar as a Binance kline row (open time first; ``bar.ts`` is its close)."""
    span = timedelta(seconds=bar.timeframe.seconds)
    open_ms = int((bar.ts - span).timestamp() * 1000)
    return [
        open_ms,
        repr(bar.open),
        repr(bar.high),
        repr(bar.low),
        repr(bar.close),
        repr(bar.volume),
        open_ms + bar.timeframe.seconds * 1000 - 1,
        repr(bar.volume * bar.close),
        1,
        "0",
        "0",
        "0",
    ]


def _cross(order: VenueOrder, bar: Bar) -> Decimal | None:
    """The price ``order`` fills at on ``bar``, or None when the bar does not reach it."""
    open_ = Decimal(repr(bar.open))
    if order.type == "MARKET":
        return open_
    if order.side == "BUY" and Decimal(repr(bar.low)) <= order.price:
        return min(order.price, open_)
    if order.side == "SELL" and Decimal(repr(bar.high)) >= order.price:
        return max(order.price, open_)
    return None


def _decimal(text: str | None, name: str) -> Decimal:
    try:
        value = Decimal(text or "")
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or value <= 0:
        raise VenueError(400, -1102, f"Mandatory parameter '{name}' was not sent.")
    return value
