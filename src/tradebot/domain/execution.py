"""The execution report: what a venue says happened to one of our orders.

Commands go out (submit, cancel), reports come back, and an order changes state only by
applying a report (:func:`tradebot.domain.order_state.apply`). A report is a plain fact
with the venue's time, never a request: the state machine decides whether it fits the
order, and a report that does not (a repeat, a stale one, a second fill of the same trade)
is refused as a value, not raised.

A fill report (``PARTIALLY_FILLED`` or ``FILLED``) carries exactly one execution: the
venue's ``trade_id`` for it (unique per execution at the venue, so a redelivered report is
recognised), its quantity, price and commission. Non-fill reports carry none of these.

Reports are built by broker adapters on the fill path (the paper broker makes one per
simulated fill), so like :class:`~tradebot.domain.bar.Bar` this is a frozen slotted
dataclass with a slot-setting ``__init__`` (:func:`~tradebot.domain.fast_init.quick_init`),
not a pydantic model; ``__post_init__`` refuses a malformed one where it is made (the
adapter's boundary), and ``pydantic.TypeAdapter(ExecutionReport)`` validates and encodes
it wherever it crosses a process boundary.

The engine turns an applied fill report into the pipeline's :class:`Fill` message with
:meth:`ExecutionReport.to_fill`, naming the order's symbol and side (the order's, not the
report's, are authoritative; the decision context stays with the order manager, as today).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal

from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.fast_init import quick_init
from tradebot.domain.messages import Fill, Order

__all__ = ["FILL_KINDS", "ExecutionReport", "status_report"]

FILL_KINDS = frozenset({ReportKind.PARTIALLY_FILLED, ReportKind.FILLED})
"""The report kinds that carry one fill."""

_ZERO = Decimal(0)
_NO_OFFSET = timedelta(0)


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionReport:
    """One thing the venue says about order ``client_order_id`` at venue time ``ts``."""

    kind: ReportKind
    client_order_id: str
    ts: datetime
    """When it happened at the venue (UTC)."""
    broker_order_id: str | None = None
    """The venue's id of the order, where the report names it."""
    reason: str = ""
    """Why (a rejection's or cancellation's text from the venue); may be empty."""
    trade_id: str | None = None
    """Fills only: the venue's id of this execution, unique per fill."""
    quantity: Decimal | None = None
    """Fills only: the quantity of this execution (not the cumulative one)."""
    price: Decimal | None = None
    """Fills only: the price of this execution."""
    commission: Decimal = _ZERO
    """Fills only: the commission charged for this execution."""
    symbol: str | None = None
    """The instrument, where the venue says (for an order we may not know)."""
    side: OrderSide | None = None
    """The order's side, where the venue says."""
    fill: Fill | None = None
    """The pipeline's :class:`Fill` of this execution, when the venue built one itself (the
    paper venue does): :meth:`to_fill` hands it on instead of building it again."""

    @classmethod
    def of_fill(cls, fill: Fill, *, done: bool, broker_order_id: str | None) -> ExecutionReport:
        """The report of a :class:`Fill` the venue made (``done``: it completed the order).
        The fill was validated when it was made, so this skips the checks: the paper venue
        reports every simulated fill this way. Every field is set, slot by slot (a test
        holds the result equal to the checked constructor's)."""
        report = _new(cls)
        _set_kind(report, _FILLED if done else _PARTIALLY_FILLED)
        _set_client_order_id(report, fill.client_order_id)
        _set_ts(report, fill.ts)
        _set_broker_order_id(report, broker_order_id)
        _set_reason(report, "")
        _set_trade_id(report, fill.fill_id)
        _set_quantity(report, fill.quantity)
        _set_price(report, fill.price)
        _set_commission(report, fill.commission)
        _set_symbol(report, fill.symbol)
        _set_side(report, fill.side)
        _set_fill(report, fill)
        return report

    def __post_init__(self) -> None:
        offset = self.ts.utcoffset()
        if offset is None or offset != _NO_OFFSET:
            raise ValueError(f"report for {self.client_order_id!r}: ts must be UTC-aware")
        if not self.client_order_id:
            raise ValueError("an execution report needs a client_order_id")
        if self.kind in FILL_KINDS:
            self._check_fill()
        elif self.trade_id is not None or self.quantity is not None or self.price is not None:
            raise ValueError(
                f"a {self.kind} report for {self.client_order_id!r} carries no fill "
                "(trade_id, quantity and price are for fill reports)"
            )
        elif self.commission != _ZERO:
            raise ValueError(f"a {self.kind} report carries no commission")

    def _check_fill(self) -> None:
        """A fill needs a trade id, a finite positive quantity and price, and a finite
        commission ≥ 0."""
        quantity, price, commission = self.quantity, self.price, self.commission
        if not self.trade_id:
            raise ValueError(f"a fill report for {self.client_order_id!r} needs a trade_id")
        if quantity is None or not quantity.is_finite() or not quantity > _ZERO:
            raise ValueError(f"fill {self.trade_id!r}: quantity must be > 0, not {quantity}")
        if price is None or not price.is_finite() or not price > _ZERO:
            raise ValueError(f"fill {self.trade_id!r}: price must be > 0, not {price}")
        if not commission.is_finite() or commission < _ZERO:
            raise ValueError(f"fill {self.trade_id!r}: commission must be >= 0, not {commission}")

    @property
    def is_fill(self) -> bool:
        """Whether this report carries a fill."""
        return self.kind in FILL_KINDS

    def to_fill(self, symbol: str, side: OrderSide) -> Fill:
        """The pipeline's :class:`Fill` of this fill report, for the order's ``symbol`` and
        ``side``; its ``fill_id`` is the venue's trade id. Raises ``ValueError`` for a
        report that carries no fill (a programming error: ask :attr:`is_fill` first)."""
        made = self.fill
        if made is not None and made.symbol == symbol and made.side is side:
            return made
        trade_id, quantity, price = self.trade_id, self.quantity, self.price
        if trade_id is None or quantity is None or price is None:
            raise ValueError(f"a {self.kind} report carries no fill")
        return Fill(
            fill_id=trade_id,
            client_order_id=self.client_order_id,
            symbol=symbol,
            side=side,
            quantity=quantity,
            price=price,
            commission=self.commission,
            ts=self.ts,
        )


_SETTERS = {f.name: vars(ExecutionReport)[f.name].__set__ for f in fields(ExecutionReport)}
"""Each field's slot setter (:meth:`ExecutionReport.of_fill` calls one per field, unrolled:
a loop over them costs twice as much on the fill path)."""
_set_kind = _SETTERS["kind"]
_set_client_order_id = _SETTERS["client_order_id"]
_set_ts = _SETTERS["ts"]
_set_broker_order_id = _SETTERS["broker_order_id"]
_set_reason = _SETTERS["reason"]
_set_trade_id = _SETTERS["trade_id"]
_set_quantity = _SETTERS["quantity"]
_set_price = _SETTERS["price"]
_set_commission = _SETTERS["commission"]
_set_symbol = _SETTERS["symbol"]
_set_side = _SETTERS["side"]
_set_fill = _SETTERS["fill"]
_new = object.__new__
_FILLED, _PARTIALLY_FILLED = ReportKind.FILLED, ReportKind.PARTIALLY_FILLED

_KIND_OF_STATUS = {
    OrderStatus.SUBMITTED: ReportKind.SUBMITTED,
    OrderStatus.ACCEPTED: ReportKind.ACCEPTED,
    OrderStatus.PENDING_CANCEL: ReportKind.PENDING_CANCEL,
    OrderStatus.CANCELLED: ReportKind.CANCELLED,
    OrderStatus.REJECTED: ReportKind.REJECTED,
    OrderStatus.EXPIRED: ReportKind.EXPIRED,
}


def status_report(order: Order, ts: datetime) -> ExecutionReport | None:
    """What the venue's view of ``order`` (an answer to a command or a lookup, a status
    change it made on its own) says, as a report at ``ts``; ``None`` for a view that says
    nothing a report can (NEW, UNKNOWN) or a fill status, whose fills come as fill
    reports with their trade ids."""
    kind = _KIND_OF_STATUS.get(order.status)
    if kind is None:
        return None
    return ExecutionReport(
        kind=kind,
        client_order_id=order.client_order_id,
        ts=ts,
        broker_order_id=order.broker_order_id,
        reason=order.reason,
        symbol=order.symbol,
        side=order.side,
    )
