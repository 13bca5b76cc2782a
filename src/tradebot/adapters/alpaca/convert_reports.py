"""Alpaca's ``trade_updates`` events and FILL activities as execution reports.

A fill report carries *this* execution: the event's ``qty`` and ``price`` (never the
order's cumulative ``filled_qty``), and its ``execution_id`` as the trade id. A FILL
activity (``GET /v2/account/activities/FILL``, what :meth:`AlpacaBroker.fills_since` reads
after a gap) names the same execution by an id of the form ``<time>::<execution id>``;
:func:`activity_trade_id` takes the part after ``::``, so a fill heard on the stream and
read again from REST has one trade id and the order state machine drops the repeat.
Commission is 0 (Alpaca charges none on equities).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from alpaca.trading.enums import OrderSide as AlpacaSide
from alpaca.trading.models import TradeUpdate

from tradebot.adapters.alpaca.convert_orders import decimal_of, our_client_id
from tradebot.domain.enums import OrderSide, ReportKind
from tradebot.domain.execution import ExecutionReport

__all__ = ["activity_report", "activity_trade_id", "report_of_update"]

_KINDS = {
    "pending_new": ReportKind.SUBMITTED,
    "new": ReportKind.ACCEPTED,
    "accepted": ReportKind.ACCEPTED,
    "partial_fill": ReportKind.PARTIALLY_FILLED,
    "fill": ReportKind.FILLED,
    "pending_cancel": ReportKind.PENDING_CANCEL,
    "canceled": ReportKind.CANCELLED,
    "expired": ReportKind.EXPIRED,
    "rejected": ReportKind.REJECTED,
    "order_cancel_rejected": ReportKind.CANCEL_REJECTED,
}
"""Events that say something the state machine knows. The rest (``replaced``,
``pending_replace``, ``restated``, ``done_for_day``, ``calculated``…) change nothing we
track: a replacement's own ``new`` event follows, under our client id."""


def _side(side: AlpacaSide | str | None) -> OrderSide | None:
    if side is None:
        return None
    return OrderSide.SELL if str(getattr(side, "value", side)) == "sell" else OrderSide.BUY


def _event(update: TradeUpdate) -> str:
    return str(getattr(update.event, "value", update.event))


def report_of_update(update: TradeUpdate) -> ExecutionReport | None:
    """The report a ``trade_updates`` event makes, or ``None`` for one that says nothing
    we track (or a fill event that lacks its execution's quantity or price)."""
    event = _event(update)
    kind = _KINDS.get(event)
    if kind is None:
        return None
    order = update.order
    base = {
        "kind": kind,
        "client_order_id": our_client_id(order.client_order_id),
        "ts": update.timestamp,
        "broker_order_id": str(order.id),
        "symbol": order.symbol,
        "side": _side(order.side),
    }
    if kind in (ReportKind.PARTIALLY_FILLED, ReportKind.FILLED):
        quantity, price = decimal_of(update.qty), decimal_of(update.price)
        if update.execution_id is None or not quantity or not price:
            return None
        return ExecutionReport(
            **base,  # type: ignore[arg-type]
            trade_id=str(update.execution_id),
            quantity=quantity,
            price=price,
            commission=Decimal(0),
        )
    reason = event.replace("_", " ") if kind is ReportKind.REJECTED else ""
    return ExecutionReport(**base, reason=reason)  # type: ignore[arg-type]


def activity_trade_id(activity_id: str) -> str:
    """The execution id inside a FILL activity's id (``<time>::<execution id>``)."""
    return activity_id.rsplit("::", 1)[-1]


def activity_report(activity: Mapping[str, Any], client_order_id: str) -> ExecutionReport:
    """The fill report of a FILL activity (the trading API's shape: ``id``,
    ``transaction_time``, ``type``, ``price``, ``qty``, ``side``, ``symbol``,
    ``order_id``; alpaca-py's ``TradeActivity`` is the broker API's, which also requires an
    ``account_id`` the trading API does not send) of the order whose client id is given (an
    activity names only the venue's order id). A malformed one raises ``ValueError``."""
    try:
        price, quantity = decimal_of(activity["price"]), decimal_of(activity["qty"])
        ts = datetime.fromisoformat(str(activity["transaction_time"]).replace("Z", "+00:00"))
        trade_id = activity_trade_id(str(activity["id"]))
    except (KeyError, ArithmeticError) as exc:
        raise ValueError(f"FILL activity not understood: {exc}") from exc
    if price is None or quantity is None:
        raise ValueError(f"FILL activity {trade_id} lacks its price or quantity")
    return ExecutionReport(
        kind=(
            ReportKind.PARTIALLY_FILLED
            if activity.get("type") == "partial_fill"
            else ReportKind.FILLED
        ),
        client_order_id=our_client_id(client_order_id),
        ts=ts.astimezone(UTC),
        broker_order_id=str(activity.get("order_id") or "") or None,
        trade_id=trade_id,
        quantity=quantity,
        price=price,
        commission=Decimal(0),
        symbol=activity.get("symbol"),
        side=_side(activity.get("side")),
    )
