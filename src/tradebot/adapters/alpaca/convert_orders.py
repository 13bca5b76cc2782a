"""Our orders ↔ Alpaca's (alpaca-py's request and response models).

Conventions:

- Quantities and prices are rounded to the instrument's lot and tick *before* they leave
  (:meth:`Instrument.round_quantity`, :meth:`Instrument.round_price`, away from the
  market); a quantity that rounds to nothing is refused here, not at the venue.
- Every request carries our ``client_order_id``. A replacement (``PATCH``) needs a new
  unique id at Alpaca, so it gets ``<ours>~r<n>``; :func:`our_client_id` strips the
  suffix, so every report and lookup speaks of the order by the id the store knows.
- Equities go out ``day`` (Alpaca requires it of fractional and notional orders); crypto
  ``gtc``. Alpaca sends decimals as strings, which are read as ``Decimal`` unchanged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from alpaca.trading.enums import OrderSide as AlpacaSide
from alpaca.trading.enums import OrderStatus as AlpacaStatus
from alpaca.trading.enums import TimeInForce
from alpaca.trading.models import Order as AlpacaOrder
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    OrderRequest,
    StopLimitOrderRequest,
    StopOrderRequest,
)

from tradebot.domain.enums import OrderSide, OrderStatus, OrderType
from tradebot.domain.errors import InvalidOrderError
from tradebot.domain.instrument import AssetClass, Instrument
from tradebot.domain.messages import Order

__all__ = [
    "REPLACE_MARK",
    "decimal_of",
    "order_from_alpaca",
    "order_request",
    "our_client_id",
    "replacement_client_id",
    "status_of",
]

REPLACE_MARK = "~r"
"""Between our client id and the replacement's number in a replacement's client id."""
_CENT = Decimal("0.01")

_STATUS = {
    AlpacaStatus.PENDING_NEW: OrderStatus.SUBMITTED,
    AlpacaStatus.NEW: OrderStatus.ACCEPTED,
    AlpacaStatus.ACCEPTED: OrderStatus.ACCEPTED,
    AlpacaStatus.ACCEPTED_FOR_BIDDING: OrderStatus.ACCEPTED,
    AlpacaStatus.HELD: OrderStatus.ACCEPTED,
    AlpacaStatus.CALCULATED: OrderStatus.ACCEPTED,
    AlpacaStatus.STOPPED: OrderStatus.ACCEPTED,
    AlpacaStatus.SUSPENDED: OrderStatus.ACCEPTED,
    AlpacaStatus.PENDING_REVIEW: OrderStatus.ACCEPTED,
    AlpacaStatus.PENDING_REPLACE: OrderStatus.ACCEPTED,
    AlpacaStatus.DONE_FOR_DAY: OrderStatus.ACCEPTED,
    AlpacaStatus.PARTIALLY_FILLED: OrderStatus.PARTIALLY_FILLED,
    AlpacaStatus.FILLED: OrderStatus.FILLED,
    AlpacaStatus.PENDING_CANCEL: OrderStatus.PENDING_CANCEL,
    AlpacaStatus.CANCELED: OrderStatus.CANCELLED,
    AlpacaStatus.REPLACED: OrderStatus.CANCELLED,
    AlpacaStatus.EXPIRED: OrderStatus.EXPIRED,
    AlpacaStatus.REJECTED: OrderStatus.REJECTED,
}
_TYPES = {t.value: t for t in OrderType}


def decimal_of(value: str | float | int | None) -> Decimal | None:
    """Alpaca's number (a string, or a float where alpaca-py's model made one) as a
    ``Decimal``: a float goes through its shortest ``repr``, exact for the ≤ 15 digits
    that prices and quantities have."""
    if value is None or value == "":
        return None
    return Decimal(value if isinstance(value, str) else repr(value))


def our_client_id(alpaca_client_id: str) -> str:
    """The client id the store knows for an Alpaca order (a replacement's suffix gone)."""
    return alpaca_client_id.split(REPLACE_MARK, 1)[0]


def replacement_client_id(alpaca_client_id: str) -> str:
    """The next replacement's client id: ``<ours>~r1``, ``~r2``…"""
    ours, _, number = alpaca_client_id.partition(REPLACE_MARK)
    return f"{ours}{REPLACE_MARK}{int(number or 0) + 1}"


def status_of(status: AlpacaStatus | str) -> OrderStatus:
    """Our state for Alpaca's order status (anything unknown counts as working)."""
    try:
        return _STATUS[AlpacaStatus(status)]
    except ValueError:
        return OrderStatus.ACCEPTED


def order_request(order: Order, instrument: Instrument) -> OrderRequest:
    """The alpaca-py request for ``order``, sized and priced on the instrument's grid."""
    side = AlpacaSide.BUY if order.side is OrderSide.BUY else AlpacaSide.SELL
    tif = TimeInForce.GTC if instrument.asset_class is AssetClass.CRYPTO else TimeInForce.DAY
    fields: dict[str, Any] = {
        "symbol": order.symbol,
        "side": side,
        "time_in_force": tif,
        "client_order_id": order.client_order_id,
    }
    if order.quantity is not None:
        quantity = instrument.round_quantity(order.quantity)
        if quantity <= 0:
            raise InvalidOrderError(
                f"order {order.client_order_id}: quantity {order.quantity} of {order.symbol} "
                f"is below one lot ({instrument.lot_size})",
                "size the order in whole lots",
            )
        fields["qty"] = float(quantity)
    else:
        assert order.notional is not None  # an Order has one of the two
        fields["notional"] = float((order.notional // _CENT) * _CENT)
    limit, stop = order.limit_price, order.stop_price
    if limit is not None:
        fields["limit_price"] = float(instrument.round_price(limit, order.side))
    if stop is not None:
        fields["stop_price"] = float(instrument.round_price(stop, order.side))
    kind = order.type
    if kind is OrderType.LIMIT:
        return LimitOrderRequest(**fields)
    if kind is OrderType.STOP:
        fields.pop("limit_price", None)
        return StopOrderRequest(**fields)
    if kind is OrderType.STOP_LIMIT:
        return StopLimitOrderRequest(**fields)
    fields.pop("limit_price", None)
    fields.pop("stop_price", None)
    return MarketOrderRequest(**fields)


def order_from_alpaca(model: AlpacaOrder, known: Order | None = None) -> Order:
    """Our view of an Alpaca order: ``known`` (the order as we sent it) with the venue's
    status and id, or, for an order we did not make, one built from the venue's fields
    (``decision_id`` empty; a type we do not model, such as a trailing stop, is kept as a
    market order whose ``reason`` names it)."""
    status = status_of(model.status)
    reason = ""
    if status is OrderStatus.REJECTED:
        reason = "rejected by Alpaca"
    elif model.status == AlpacaStatus.REPLACED:
        reason = "replaced"
    if known is not None:
        return known.evolve(status=status, broker_order_id=str(model.id), reason=reason)
    raw_type = str(getattr(model.type or model.order_type, "value", model.type or "market"))
    kind = _TYPES.get(raw_type, OrderType.MARKET)
    if raw_type not in _TYPES:
        reason = f"Alpaca {raw_type} order"
    limit, stop = decimal_of(model.limit_price), decimal_of(model.stop_price)
    if kind in (OrderType.STOP, OrderType.STOP_LIMIT) and stop is None:
        kind, reason = OrderType.MARKET, f"Alpaca {raw_type} order without a stop price"
    if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) and limit is None:
        kind, reason = OrderType.MARKET, f"Alpaca {raw_type} order without a limit price"
    quantity = decimal_of(model.qty)
    return Order(
        client_order_id=our_client_id(model.client_order_id),
        decision_id="",
        symbol=str(model.symbol),
        side=OrderSide.SELL if model.side == AlpacaSide.SELL else OrderSide.BUY,
        type=kind,
        quantity=quantity if quantity else None,
        notional=None if quantity else decimal_of(model.notional),
        limit_price=limit if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
        stop_price=stop if kind in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
        status=status,
        created_at=model.created_at,
        broker_order_id=str(model.id),
        reason=reason,
    )
