"""``AlpacaBroker``: orders through Alpaca's trading API (ports ``ReconcilingBroker`` and
``Replaceable``).

Every command is answered within :data:`~tradebot.ports.COMMAND_TIMEOUT_S` (see
:mod:`.rest`) with the venue's view of the order, or raises: refused →
:class:`InvalidOrderError`; no answer, 5xx, 429 → :class:`TemporaryBrokerError` (outcome
unknown: the order manager looks the order up by client id later). A submit is never sent
twice by us; alpaca-py's own retry of a 429/504 carries the same client id, and the 422
"client_order_id must be unique" it may meet means our order exists — the broker then
returns the venue's view of it (:meth:`lookup`), not a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from alpaca.trading.client import TradingClient
from alpaca.trading.enums import QueryOrderStatus
from alpaca.trading.models import Asset, Clock, TradeAccount
from alpaca.trading.models import Order as AlpacaOrder
from alpaca.trading.models import Position as AlpacaPosition
from alpaca.trading.requests import GetOrdersRequest, ReplaceOrderRequest

from tradebot.adapters.alpaca.convert_data import instrument_of_asset
from tradebot.adapters.alpaca.convert_orders import (
    decimal_of,
    order_from_alpaca,
    order_request,
    our_client_id,
    replacement_client_id,
)
from tradebot.adapters.alpaca.convert_reports import activity_report
from tradebot.adapters.alpaca.rest import broker_error, is_duplicate_client_id, is_not_found
from tradebot.domain.errors import TemporaryBrokerError, UnknownSymbolError
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import Instrument, fallback_instrument
from tradebot.domain.messages import Order
from tradebot.ops.logging import get_logger

__all__ = ["AlpacaBroker", "MarketClock"]

_T = TypeVar("_T")
_log = get_logger("alpaca-broker")
_FILLS = "/account/activities/FILL"
_PAGE = 100
"""Alpaca's largest page of account activities."""


class MarketClock:
    """Alpaca's market clock: whether the market is open, and its next open and close."""

    def __init__(self, clock: Clock) -> None:
        self.is_open = clock.is_open
        self.next_open = clock.next_open
        self.next_close = clock.next_close


class AlpacaBroker:
    """Alpaca as our broker. ``instruments`` (from :meth:`instruments`, or given) size and
    price each order before it leaves; a symbol without one is treated as a whole-share
    equity."""

    def __init__(
        self, client: TradingClient, *, instruments: Mapping[str, Instrument] | None = None
    ) -> None:
        self._client = client
        self._instruments: dict[str, Instrument] = dict(instruments or {})
        self._sent: dict[str, Order] = {}
        self._client_ids: dict[str, str] = {}
        """The venue's order id → Alpaca's client id (activities name only the former)."""

    def _call(self, what: str, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except Exception as exc:
            raise broker_error(exc, what) from exc

    def _view(self, model: AlpacaOrder) -> Order:
        self._client_ids[str(model.id)] = model.client_order_id
        ours = our_client_id(model.client_order_id)
        return order_from_alpaca(model, self._sent.get(ours))

    # ---- commands -------------------------------------------------------------------

    def submit(self, order: Order) -> Order:
        instrument = self._instruments.get(order.symbol) or fallback_instrument(order.symbol)
        request = order_request(order, instrument)
        self._sent[order.client_order_id] = order
        what = f"submit {order.client_order_id}"
        try:
            model = self._client.submit_order(request)
        except Exception as exc:
            if not is_duplicate_client_id(exc):
                raise broker_error(exc, what) from exc
            _log.info(
                "duplicate client id on submit: the order exists", order=order.client_order_id
            )
            found = self.lookup(order.client_order_id)
            if found is None:
                raise TemporaryBrokerError(
                    f"Alpaca says {order.client_order_id} exists but does not find it",
                    "outcome unknown: the order is looked up again later",
                ) from exc
            return found
        assert isinstance(model, AlpacaOrder)
        return self._view(model)

    def cancel(self, client_order_id: str) -> Order | None:
        current = self._latest(client_order_id)
        if current is None:
            return None
        what = f"cancel {client_order_id}"
        self._call(what, lambda: self._client.cancel_order_by_id(current.id))
        return self._view(self._call(what, lambda: self._order_by_id(str(current.id))))

    def replace(
        self,
        client_order_id: str,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> Order:
        """Change a working order (Alpaca makes a new order that replaces it; its client id
        is ours with a ``~r<n>`` suffix, and reports keep naming ours)."""
        what = f"replace {client_order_id}"
        current = self._latest(client_order_id)
        if current is None:
            raise broker_error(ValueError("not found"), what)
        known = self._sent.get(client_order_id) or order_from_alpaca(current)
        instrument = self._instruments.get(known.symbol) or fallback_instrument(known.symbol)
        fields: dict[str, Any] = {"client_order_id": replacement_client_id(current.client_order_id)}
        if quantity is not None:
            fields["qty"] = int(instrument.round_quantity(quantity))
        if limit_price is not None:
            fields["limit_price"] = float(instrument.round_price(limit_price, known.side))
        if stop_price is not None:
            fields["stop_price"] = float(instrument.round_price(stop_price, known.side))
        request = ReplaceOrderRequest(**fields)
        model = self._call(what, lambda: self._client.replace_order_by_id(current.id, request))
        assert isinstance(model, AlpacaOrder)
        changed: dict[str, Decimal] = {}
        if quantity is not None:
            changed["quantity"] = Decimal(fields["qty"])
        for name in ("limit_price", "stop_price"):
            if name in fields:
                changed[name] = Decimal(repr(fields[name]))
        self._sent[client_order_id] = known.evolve(**changed)
        return self._view(model)

    # ---- queries --------------------------------------------------------------------

    def _order_by_id(self, order_id: str) -> AlpacaOrder:
        model = self._client.get_order_by_id(order_id)
        assert isinstance(model, AlpacaOrder)
        return model

    def _latest(self, client_order_id: str) -> AlpacaOrder | None:
        """The venue's order for our client id, following replacements to the newest."""
        what = f"lookup {client_order_id}"
        try:
            model = self._client.get_order_by_client_id(client_order_id)
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise broker_error(exc, what) from exc
        assert isinstance(model, AlpacaOrder)
        for _ in range(20):  # a chain of replacements, newest last
            if model.replaced_by is None:
                break
            model = self._call(what, partial(self._order_by_id, str(model.replaced_by)))
        return model

    def lookup(self, client_order_id: str) -> Order | None:
        model = self._latest(client_order_id)
        return None if model is None else self._view(model)

    def open_orders(self) -> Sequence[Order]:
        request = GetOrdersRequest(status=QueryOrderStatus.OPEN, limit=500)
        models = self._call("list open orders", lambda: self._client.get_orders(request))
        return [self._view(m) for m in models if isinstance(m, AlpacaOrder)]

    def positions(self) -> Mapping[str, Decimal]:
        models = self._call("list positions", self._client.get_all_positions)
        held: dict[str, Decimal] = {}
        for model in models:
            if isinstance(model, AlpacaPosition):
                quantity = decimal_of(model.qty) or Decimal(0)
                if quantity:
                    held[model.symbol] = quantity
        return held

    def account(self) -> Mapping[str, Decimal]:
        model = self._call("read the account", self._client.get_account)
        assert isinstance(model, TradeAccount)
        return {
            "cash": decimal_of(model.cash) or Decimal(0),
            "buying_power": decimal_of(model.buying_power) or Decimal(0),
            "equity": decimal_of(model.equity) or Decimal(0),
        }

    def clock(self) -> MarketClock:
        model = self._call("read the market clock", self._client.get_clock)
        assert isinstance(model, Clock)
        return MarketClock(model)

    def fills_since(self, ts: datetime) -> Sequence[ExecutionReport]:
        """Every FILL activity at or after ``ts``, oldest first (paged by ``page_token``;
        Alpaca's ``after`` is exclusive, so it is asked from a microsecond earlier)."""
        params: dict[str, Any] = {
            "after": (ts - timedelta(microseconds=1)).isoformat(),
            "direction": "asc",
            "page_size": _PAGE,
        }
        activities: list[dict[str, Any]] = []
        while True:
            page = self._call("list fills", partial(self._client.get, _FILLS, dict(params)))
            items = [item for item in (page or []) if isinstance(item, dict)]
            activities.extend(items)
            if len(items) < _PAGE:
                break
            params["page_token"] = items[-1]["id"]
        reports = [
            activity_report(activity, self._client_id_of(str(activity["order_id"])))
            for activity in activities
        ]
        return sorted((r for r in reports if r.ts >= ts), key=lambda r: r.ts)

    def _client_id_of(self, order_id: str) -> str:
        known = self._client_ids.get(order_id)
        if known is None:
            model = self._call(f"read order {order_id}", lambda: self._order_by_id(order_id))
            known = self._client_ids[order_id] = model.client_order_id
        return known

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        """Each symbol's instrument from its Alpaca asset; the unknown and the untradable
        are named together in one :class:`UnknownSymbolError`."""
        found: dict[str, Instrument] = {}
        missing: list[str] = []
        for symbol in sorted(set(symbols)):
            asset = self._asset(symbol)
            if asset is None or not asset.tradable:
                missing.append(symbol)
            else:
                found[symbol] = instrument_of_asset(asset)
        if missing:
            raise UnknownSymbolError(
                f"Alpaca does not trade {', '.join(missing)}",
                "check the symbols (Alpaca's spelling, e.g. BRK.B) or remove them",
            )
        self._instruments.update(found)
        return found

    def _asset(self, symbol: str) -> Asset | None:
        try:
            asset = self._client.get_asset(symbol)
        except Exception as exc:
            if is_not_found(exc):
                return None
            raise broker_error(exc, f"read asset {symbol}") from exc
        assert isinstance(asset, Asset)
        return asset
