"""The CCXT broker: a spot exchange as a :class:`~tradebot.ports.ReconcilingBroker`.

Every order carries our client order id (ccxt's unified ``clientOrderId``, which the
``binance`` class sends as ``newClientOrderId``). A submit whose answer is lost (timeout,
reset, 5xx, 429) raises :class:`TemporaryBrokerError` and is never resent: the order
manager looks the order up by its client id. A venue that says the client id is a
duplicate holds our order already, so the submit answers with that order. Amounts and
prices go through the market's precision (``amount_to_precision``/``price_to_precision``).

The ccxt client runs on the broker's own loop thread (:class:`LoopThread`); each port
method waits at most :data:`~tradebot.ports.COMMAND_TIMEOUT_S` for its answer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Mapping, Sequence
from concurrent.futures import Future
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from tradebot.adapters.ccxt.convert import (
    broker_error,
    decimal,
    fill_report,
    instrument_from_market,
    is_duplicate,
    order_from_ccxt,
    to_ms,
)
from tradebot.adapters.ccxt.exchange import credentials_from_env, make_exchange
from tradebot.adapters.ccxt.loop import LoopThread
from tradebot.adapters.clock import utc_now
from tradebot.domain.enums import OrderStatus, OrderType
from tradebot.domain.errors import InvalidOrderError, TemporaryBrokerError, UnknownSymbolError
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import Order
from tradebot.ops.logging import get_logger
from tradebot.ports import COMMAND_TIMEOUT_S

__all__ = ["CcxtBroker"]

T = TypeVar("T")
_log = get_logger("ccxt-broker")
_PAGE = 1000


class CcxtBroker:
    """Orders, lookups and the whole book of one spot account at a ccxt exchange.

    ``symbols`` are the session's markets (``BTC/USDT``): lookups by client id and fills
    are asked per symbol, since spot exchanges answer those per market. ``quote`` is the
    account's cash currency."""

    def __init__(
        self,
        exchange_id: str = "binance",
        api_key: str | None = None,
        secret: str | None = None,
        *,
        symbols: Sequence[str] = (),
        quote: str = "USDT",
        urls_override: Mapping[str, str] | None = None,
        timeout_s: float = COMMAND_TIMEOUT_S,
        now: Callable[[], datetime] = utc_now,
        sandbox: bool = False,
    ) -> None:
        if api_key is None or secret is None:
            api_key, secret = credentials_from_env()
        self.exchange_id, self.quote = exchange_id, quote
        self._timeout = min(timeout_s, COMMAND_TIMEOUT_S)
        self._now = now
        self._runner = LoopThread(f"ccxt-{exchange_id}")
        self.exchange = make_exchange(
            exchange_id,
            api_key=api_key,
            secret=secret,
            urls_override=urls_override,
            timeout_s=self._timeout,
            sandbox=sandbox,
        )
        self._symbols = list(symbols)
        self._orders: dict[str, Order] = {}
        self._client_ids: dict[str, tuple[str, Decimal | None]] = {}
        """Venue order id → (our client id, the order's quantity)."""

    def __repr__(self) -> str:
        return f"CcxtBroker({self.exchange_id!r}, symbols={self._symbols!r})"

    @property
    def symbols(self) -> list[str]:
        return list(self._symbols)

    # -- plumbing -------------------------------------------------------------------------
    def _call(self, coro: Coroutine[Any, Any, T], action: str) -> T:
        try:
            return self._runner.run(coro, self._timeout + 1.0)
        except TimeoutError as exc:
            raise broker_error(exc, action, self.exchange_id) from None
        except Exception as exc:
            raise broker_error(exc, action, self.exchange_id) from None

    async def _markets(self) -> dict[str, Any]:
        markets: dict[str, Any] = await self.exchange.load_markets()
        return markets

    def spawn(self, coro: Coroutine[Any, Any, None]) -> Future[None]:
        """Run ``coro`` (a report stream's polling) on the broker's loop, with its client."""
        return self._runner.spawn(coro)

    def known_order(self, client_order_id: str) -> Order | None:
        """The order as this session sent it and last heard of it, if it sent it."""
        return self._orders.get(client_order_id)

    def session_orders(self, symbol: str) -> set[str]:
        """The client ids of the orders this session sent in ``symbol``."""
        return {cid for cid, o in self._orders.items() if o.symbol == symbol}

    def close(self) -> None:
        """Close the client's HTTP session and join the loop thread."""
        self._runner.close(self.exchange.close)

    # -- commands -------------------------------------------------------------------------
    def submit(self, order: Order) -> Order:
        if order.quantity is None:
            raise InvalidOrderError(
                f"{order.client_order_id}: {self.exchange_id} orders need a quantity",
                "size the order in units of the base currency",
            )
        if order.type not in (OrderType.MARKET, OrderType.LIMIT):
            raise InvalidOrderError(f"{order.type} orders are not supported on {self.exchange_id}")
        if order.symbol not in self._symbols:
            self._symbols.append(order.symbol)
        self._orders[order.client_order_id] = order
        raw = self._call(self._submit(order), f"submit {order.client_order_id}")
        if raw is None:  # duplicate: the venue holds our order already
            found = self.lookup(order.client_order_id)
            if found is None:
                raise TemporaryBrokerError(
                    f"{order.client_order_id}: duplicate at the venue but not found by lookup"
                )
            return found
        return self._remember(raw, order)

    async def _submit(self, order: Order) -> dict[str, Any] | None:
        ex, symbol = self.exchange, order.symbol
        await self._markets()
        amount = ex.amount_to_precision(symbol, float(order.quantity or 0))
        price = None
        if order.type is OrderType.LIMIT:
            price = ex.price_to_precision(symbol, float(order.limit_price or 0))
        params = {"clientOrderId": order.client_order_id}
        try:
            raw: dict[str, Any] = await ex.create_order(
                symbol, order.type.value, order.side.value, amount, price, params
            )
        except Exception as exc:
            if is_duplicate(exc):
                return None
            raise
        return raw

    def cancel(self, client_order_id: str) -> Order | None:
        for symbol in self._symbols_for(client_order_id):
            try:
                raw = self._call(
                    self.exchange.cancel_order(None, symbol, {"clientOrderId": client_order_id}),
                    f"cancel {client_order_id}",
                )
            except InvalidOrderError:  # unknown or no longer open (OrderNotFound)
                continue
            known = self._orders.get(client_order_id)
            return self._remember(raw, known) if known else order_from_ccxt(raw)
        return self.lookup(client_order_id)

    # -- queries --------------------------------------------------------------------------
    def lookup(self, client_order_id: str) -> Order | None:
        for symbol in self._symbols_for(client_order_id):
            try:
                raw = self._call(
                    self.exchange.fetch_order(None, symbol, {"clientOrderId": client_order_id}),
                    f"lookup {client_order_id}",
                )
            except InvalidOrderError:  # OrderNotFound: not in this market
                continue
            return self._remember(raw, self._orders.get(client_order_id))
        return None

    def open_orders(self) -> Sequence[Order]:
        raws = self._call(self.exchange.fetch_open_orders(), "list open orders")
        return [
            self._remember(raw, self._orders.get(str(raw.get("clientOrderId")))) for raw in raws
        ]

    def positions(self) -> Mapping[str, Decimal]:
        balance = self._call(self.exchange.fetch_balance(), "read balances")
        held = {}
        for currency, total in (balance.get("total") or {}).items():
            amount = decimal(total)
            if currency != self.quote and amount:
                held[f"{currency}/{self.quote}"] = amount
        return held

    def account(self) -> Mapping[str, Decimal]:
        balance = self._call(self.exchange.fetch_balance(), "read balances")
        cash = decimal((balance.get("total") or {}).get(self.quote)) or Decimal(0)
        free = decimal((balance.get("free") or {}).get(self.quote)) or Decimal(0)
        equity = cash
        for symbol, quantity in self.positions().items():
            candles = self._call(self.exchange.fetch_ohlcv(symbol, "1m", None, 2), "read prices")
            if candles:
                equity += quantity * (decimal(candles[-1][4]) or Decimal(0))
        return {"cash": cash, "buying_power": free, "equity": equity}

    def fills_since(self, ts: datetime) -> Sequence[ExecutionReport]:
        reports: list[ExecutionReport] = []
        for symbol in list(self._symbols):
            reports.extend(self._call(self._fills(symbol, to_ms(ts)), f"read fills of {symbol}"))
        return sorted(reports, key=lambda r: r.ts)

    async def _fills(self, symbol: str, since: int) -> list[ExecutionReport]:
        """Every trade of ``symbol`` from ``since`` (paged), as fill reports."""
        trades: list[dict[str, Any]] = []
        while True:
            page = await self.exchange.fetch_my_trades(symbol, since, _PAGE)
            trades.extend(page)
            if len(page) < _PAGE:
                break
            since = int(page[-1]["timestamp"]) + 1
        return await self.reports_of(symbol, trades)

    async def reports_of(
        self, symbol: str, trades: Sequence[Mapping[str, Any]]
    ) -> list[ExecutionReport]:
        """Fill reports of ``trades`` (one market's, oldest first), naming each by our client
        order id (asked of the venue once per order) and saying which fill completed it."""
        seen_ids: set[str] = set()
        reports = []
        for trade in trades:
            if str(trade["id"]) in seen_ids:
                continue
            seen_ids.add(str(trade["id"]))
            order_id = str(trade["order"])
            if order_id not in self._client_ids:
                raw = await self.exchange.fetch_order(order_id, symbol)
                self._client_ids[order_id] = (
                    str(raw.get("clientOrderId") or order_id),
                    decimal(raw.get("amount")),
                )
            client_id, quantity = self._client_ids[order_id]
            filled = sum(
                (decimal(t["amount"]) or Decimal(0))
                for t in trades
                if str(t["order"]) == order_id and int(t["timestamp"]) <= int(trade["timestamp"])
            )
            done = quantity is not None and filled >= quantity
            reports.append(fill_report(trade, client_id, done=done, quote=self.quote))
        return reports

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        markets = self._call(self._markets(), "load markets")
        unknown = sorted(s for s in symbols if s not in markets)
        if unknown:
            raise UnknownSymbolError(
                f"{self.exchange_id} lists no market {', '.join(unknown)}",
                "write symbols as the exchange's unified pairs, such as BTC/USDT",
            )
        places = self.exchange.precisionMode == 2  # ccxt.DECIMAL_PLACES
        return {s: instrument_from_market(markets[s], decimal_places=places) for s in symbols}

    # -- helpers --------------------------------------------------------------------------
    def _symbols_for(self, client_order_id: str) -> list[str]:
        known = self._orders.get(client_order_id)
        if known is not None:
            return [known.symbol]
        return list(self._symbols)

    def _remember(self, raw: Mapping[str, Any], known: Order | None) -> Order:
        order = order_from_ccxt(raw, known)
        if order.broker_order_id is not None:
            self._client_ids.setdefault(
                order.broker_order_id, (order.client_order_id, order.quantity)
            )
        if known is not None:
            self._orders[order.client_order_id] = order
        if order.status is OrderStatus.REJECTED:
            _log.info("order rejected", client_order_id=order.client_order_id)
        return order
