"""Pure conversions between ccxt's unified structures and tradebot's domain types.

No I/O here, so every rule is unit-tested without a venue: order status mapping, fill
reports (commission in the quote currency), instruments from a market's precision and
limits, closed candles only, and the error taxonomy (Freqtrade's: temporary, rate limit,
invalid order, authentication).

Error taxonomy (:func:`broker_error`)::

    ccxt.AuthenticationError, PermissionDenied, AccountSuspended → ConfigError (no key shown)
    ccxt.InvalidOrder, InsufficientFunds, BadSymbol, BadRequest → InvalidOrderError (refused)
    everything else (NetworkError and its RequestTimeout, DDoSProtection, RateLimitExceeded,
    ExchangeNotAvailable; an unclassified ExchangeError, a BadResponse) → TemporaryBrokerError:
    on a submit the outcome is unknown and the order is looked up, never resubmitted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import ccxt.async_support as ccxt

from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, ReportKind, Timeframe
from tradebot.domain.errors import (
    ConfigError,
    InvalidOrderError,
    TemporaryBrokerError,
    TradebotError,
)
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import AssetClass, Instrument
from tradebot.domain.messages import Order

__all__ = [
    "bars_from_ohlcv",
    "broker_error",
    "decimal",
    "fill_report",
    "instrument_from_market",
    "is_duplicate",
    "order_from_ccxt",
    "status_of",
    "to_ms",
    "utc_ms",
]

_ZERO = Decimal(0)
_STATUS = {
    "open": OrderStatus.ACCEPTED,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELLED,
    "cancelled": OrderStatus.CANCELLED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
_URL_QUERY = re.compile(r"\?\S*")


def decimal(value: Any) -> Decimal | None:
    """A ccxt number (float, str or None) as a Decimal, through its shortest repr."""
    if value is None:
        return None
    return Decimal(str(value))


def utc_ms(ms: int | float) -> datetime:
    return datetime.fromtimestamp(int(ms) / 1000, UTC)


def to_ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def status_of(raw: Mapping[str, Any]) -> OrderStatus:
    """Our status of a ccxt order: ``open`` with something filled is partially filled."""
    status = _STATUS.get(str(raw.get("status")), OrderStatus.ACCEPTED)
    if status is OrderStatus.ACCEPTED and (decimal(raw.get("filled")) or _ZERO) > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def order_from_ccxt(raw: Mapping[str, Any], known: Order | None = None) -> Order:
    """The venue's view of an order: ``known`` (ours, as we sent it) with the venue's status
    and id, or, for an order we did not send, one built from what the venue says."""
    status, broker_id = status_of(raw), str(raw["id"]) if raw.get("id") is not None else None
    if known is not None:
        return known.evolve(status=status, broker_order_id=broker_id or known.broker_order_id)
    kind = OrderType.LIMIT if raw.get("type") == "limit" else OrderType.MARKET
    return Order(
        client_order_id=str(raw.get("clientOrderId") or raw.get("id")),
        decision_id="",
        symbol=str(raw["symbol"]),
        side=OrderSide(str(raw["side"])),
        type=kind,
        quantity=decimal(raw.get("amount")),
        limit_price=decimal(raw.get("price")) if kind is OrderType.LIMIT else None,
        status=status,
        created_at=utc_ms(raw.get("timestamp") or 0),
        broker_order_id=broker_id,
    )


def fill_report(
    trade: Mapping[str, Any], client_order_id: str, *, done: bool, quote: str
) -> ExecutionReport:
    """One ccxt trade (``fetch_my_trades``) as a fill report. The commission is in the
    quote currency: a fee in the quote is taken as it is, one in the base is valued at the
    trade's price, one in a third currency (BNB) cannot be valued here and is reported as 0
    (the venue's own balances still show it)."""
    price, amount = decimal(trade["price"]), decimal(trade["amount"])
    commission = _ZERO
    fee = trade.get("fee") or {}
    cost = decimal(fee.get("cost")) or _ZERO
    currency = fee.get("currency")
    base = str(trade["symbol"]).split("/")[0]
    if cost and currency == quote:
        commission = cost
    elif cost and currency == base and price is not None:
        commission = cost * price
    return ExecutionReport(
        kind=ReportKind.FILLED if done else ReportKind.PARTIALLY_FILLED,
        client_order_id=client_order_id,
        ts=utc_ms(trade["timestamp"]),
        broker_order_id=str(trade["order"]) if trade.get("order") is not None else None,
        trade_id=str(trade["id"]),
        quantity=amount,
        price=price,
        commission=commission,
        symbol=str(trade["symbol"]),
        side=OrderSide(str(trade["side"])),
    )


def _step(value: Any, decimal_places: bool) -> Decimal:
    """A precision as a step: ccxt gives a tick (TICK_SIZE mode) or a count of decimals."""
    step = decimal(value)
    if step is None:
        raise ValueError("the market has no precision")
    return Decimal(1).scaleb(-int(step)) if decimal_places else step


def instrument_from_market(market: Mapping[str, Any], *, decimal_places: bool) -> Instrument:
    """A ccxt market (after ``load_markets``) as our instrument: tick and lot from its
    precision, minimums from its limits, crypto around the clock (calendar None)."""
    precision, limits = market.get("precision") or {}, market.get("limits") or {}
    tick = _step(precision.get("price"), decimal_places)
    lot = _step(precision.get("amount"), decimal_places).normalize()
    min_qty = decimal((limits.get("amount") or {}).get("min")) or lot
    min_notional = decimal((limits.get("cost") or {}).get("min")) or _ZERO
    return Instrument(
        symbol=str(market["symbol"]),
        asset_class=AssetClass.CRYPTO,
        tick_size=tick.normalize(),
        lot_size=lot,
        min_quantity=min_qty,
        min_notional=min_notional,
        fractional=bool(lot % 1),
        calendar=None,
        currency=str(market["quote"]),
    )


def bars_from_ohlcv(
    symbol: str, timeframe: Timeframe, rows: Sequence[Sequence[Any]], now: datetime
) -> list[Bar]:
    """ccxt candles ``[open_ms, o, h, l, c, v]`` as bars labelled by their close, keeping
    only candles closed by ``now`` (a venue serves the forming one last)."""
    span = timedelta(seconds=timeframe.seconds)
    bars = []
    for row in rows:
        close = utc_ms(row[0]) + span
        if close > now:
            continue
        o, h, low, c, v = (float(x) if x is not None else 0.0 for x in row[1:6])
        bars.append(Bar(symbol, timeframe, close, o, h, low, c, v))
    return bars


def is_duplicate(exc: BaseException) -> bool:
    """The venue says an order with this client id already exists."""
    return isinstance(exc, ccxt.DuplicateOrderId) or "Duplicate order" in str(exc)


def broker_error(exc: BaseException, action: str, exchange_id: str) -> TradebotError:
    """The one-line error for a ccxt failure during ``action`` (query strings, which hold
    signatures, are cut from the venue's text; keys are never in it)."""
    text = _URL_QUERY.sub("", str(exc)).strip()[:300]
    if isinstance(exc, ccxt.AuthenticationError | ccxt.PermissionDenied | ccxt.AccountSuspended):
        return ConfigError(
            f"{exchange_id} refused the API credentials during {action}: {text}",
            "check TRADEBOT_CCXT_API_KEY and TRADEBOT_CCXT_SECRET (and the key's permissions)",
        )
    refused = ccxt.InvalidOrder | ccxt.InsufficientFunds | ccxt.BadSymbol | ccxt.BadRequest
    if isinstance(exc, refused):
        return InvalidOrderError(f"{exchange_id} refused {action}: {text}")
    if isinstance(exc, TradebotError):
        return exc
    return TemporaryBrokerError(
        f"{exchange_id}: no reliable answer to {action} ({type(exc).__name__}: {text})",
        "the outcome is unknown: the order is looked up by its client id, never resubmitted",
    )
