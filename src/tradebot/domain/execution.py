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

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from tradebot.domain.enums import OrderSide, ReportKind
from tradebot.domain.fast_init import quick_init
from tradebot.domain.messages import Fill

__all__ = ["FILL_KINDS", "ExecutionReport"]

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
