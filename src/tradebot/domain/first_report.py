"""An order's first execution report, applied without building its state twice.

The order manager tracks an order by its record alone until the venue first reports on it;
only then is its :class:`~tradebot.domain.order_state.OrderState` made
(:meth:`OrderState.as_recorded`) and the report applied to it (:func:`apply`). In a
backtest that first report is nearly always the fill of a working market order — every
entry and every exit — and nothing asks about the order again. So that one is judged here:
:func:`first_fill` says the status such a fill moves the order to (``None`` for any other
report, left to :func:`apply`), and :func:`first_fill_state` builds the state after it,
once, field by field — when someone asks for it (the order manager keeps the two and
builds the state on demand). :func:`apply_first` is the two together, and a property test
holds it equal to ``apply(OrderState.as_recorded(order), report)`` for any order and
report: the same outcome in every case, refusals and errors included.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal

from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.execution import FILL_KINDS, ExecutionReport
from tradebot.domain.messages import Order
from tradebot.domain.order_state import (
    KEPT_BY_A_PARTIAL_FILL,
    Applied,
    OrderState,
    Transition,
    apply,
)

__all__ = ["apply_first", "first_fill", "first_fill_state"]

_ZERO = Decimal(0)
_FILLED, _PARTIALLY_FILLED = OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED
_REJECTED = OrderStatus.REJECTED


def apply_first(order: Order, report: ExecutionReport) -> Transition:
    """``apply(OrderState.as_recorded(order), report)`` (see the module docstring)."""
    status = first_fill(order, report)
    if status is None:
        return apply(OrderState.as_recorded(order), report)
    return Applied(first_fill_state(order, report, status))


def first_fill(order: Order, report: ExecutionReport) -> OrderStatus | None:
    """The status ``report`` moves ``order`` to if it is a fill that fits the order as its
    record says it is (nothing filled yet), as the fill rules (1-4 of
    :mod:`~tradebot.domain.order_state`) apply it; ``None`` for any other report, which
    only :func:`apply` can judge."""
    wanted = order.quantity
    status = order.status
    if (
        report.kind in FILL_KINDS
        and report.client_order_id == order.client_order_id
        and (report.symbol is None or report.symbol == order.symbol)
        and (report.side is None or report.side == order.side)
        and status is not _REJECTED
        and status is not _FILLED
        and (wanted is None or (wanted.is_finite() and wanted > _ZERO))  # as_recorded's check
        and report.trade_id is not None
        and report.price is not None
    ):
        quantity = report.quantity
        if quantity is None:
            return None
        filled = _ZERO + quantity  # as the rules add it to a state with nothing filled
        if wanted is None:
            return _FILLED if report.kind is ReportKind.FILLED else _partly(status)
        if filled > wanted:
            return None  # an overfill: apply refuses it
        return _FILLED if filled == wanted else _partly(status)
    return None


def first_fill_state(order: Order, report: ExecutionReport, status: OrderStatus) -> OrderState:
    """The state of ``order`` after the fill ``report`` moved it to ``status``
    (:func:`first_fill`): each sum starts from zero (``0 + x``, as :func:`apply` adds, so
    a Decimal keeps the exponent and context rounding it would get there)."""
    trade_id, quantity, price = report.trade_id, report.quantity, report.price
    if trade_id is None or quantity is None or price is None:  # a programming error
        raise ValueError(f"a {report.kind} report carries no fill: ask first_fill first")
    return _state(
        order.client_order_id,
        order.symbol,
        order.side,
        order.quantity,
        status,
        _ZERO + quantity,
        _ZERO + quantity * price,
        _ZERO + report.commission,
        frozenset((trade_id,)),
        report.broker_order_id or order.broker_order_id,
        report.ts,
        report.reason or order.reason,
    )


def _partly(status: OrderStatus) -> OrderStatus:
    """Rule 4: a fill that leaves part of the order open."""
    return status if status in KEPT_BY_A_PARTIAL_FILL else _PARTIALLY_FILLED


def _state(
    client_order_id: str,
    symbol: str,
    side: OrderSide,
    quantity: Decimal | None,
    status: OrderStatus,
    filled: Decimal,
    filled_value: Decimal,
    commission: Decimal,
    trade_ids: frozenset[str],
    broker_order_id: str | None,
    last_report_ts: datetime | None,
    reason: str,
) -> OrderState:
    """An :class:`OrderState` set slot by slot, every field in field order, without the
    constructor's quantity check (:func:`apply_first` made the same check first): a third
    quicker on the fill path. A field added to :class:`OrderState` must be set here too
    (reading a slot left unset fails, so the property test would say)."""
    new = _new(OrderState)
    _set_client_order_id(new, client_order_id)
    _set_symbol(new, symbol)
    _set_side(new, side)
    _set_quantity(new, quantity)
    _set_status(new, status)
    _set_filled(new, filled)
    _set_filled_value(new, filled_value)
    _set_commission(new, commission)
    _set_trade_ids(new, trade_ids)
    _set_broker_order_id(new, broker_order_id)
    _set_last_report_ts(new, last_report_ts)
    _set_reason(new, reason)
    return new


_SETTERS = {f.name: vars(OrderState)[f.name].__set__ for f in fields(OrderState)}
_set_client_order_id = _SETTERS["client_order_id"]
_set_symbol = _SETTERS["symbol"]
_set_side = _SETTERS["side"]
_set_quantity = _SETTERS["quantity"]
_set_status = _SETTERS["status"]
_set_filled = _SETTERS["filled"]
_set_filled_value = _SETTERS["filled_value"]
_set_commission = _SETTERS["commission"]
_set_trade_ids = _SETTERS["trade_ids"]
_set_broker_order_id = _SETTERS["broker_order_id"]
_set_last_report_ts = _SETTERS["last_report_ts"]
_set_reason = _SETTERS["reason"]
_new = object.__new__
