"""The order state machine: an order changes state only by applying a venue's report.

:func:`apply` takes an :class:`OrderState` and an
:class:`~tradebot.domain.execution.ExecutionReport` and returns :class:`Applied` (the new
state) or :class:`Refused` (the same state, a :class:`Refusal` and why). It never raises for
a report that does not fit: a repeated, stale or impossible report is an expected venue
fault, a value the caller records, never a crash and never applied. :func:`outcome_lost`
is our own event: the reply to a submit was lost, so the order is ``UNKNOWN`` until the
venue says what became of it (:mod:`tradebot.domain.order_lookup` says when to ask).

States, ranked (a report may only move an order forward)::

    0  NEW, UNKNOWN
    1  SUBMITTED          the venue has received it
    2  ACCEPTED           working at the venue
    3  PARTIALLY_FILLED
    4  PENDING_CANCEL     a cancel is requested, not yet confirmed
    5  FILLED, CANCELLED, REJECTED, EXPIRED   (final)

Status reports (row: the order's status; column: the report; a status is where the
report moves the order, ``-`` marks a refusal and names it)::

    report:            SUBMITTED  ACCEPTED   PENDING_CANCEL CANCEL_REJECTED CANCELLED, REJECTED
                                                                            EXPIRED
    NEW, UNKNOWN       SUBMITTED  ACCEPTED   PENDING_CANCEL -illegal        (same)     REJECTED
    SUBMITTED          -repeated  ACCEPTED   PENDING_CANCEL -illegal        (same)     REJECTED
    ACCEPTED           -stale     -repeated  PENDING_CANCEL -illegal        (same)     REJECTED
    PARTIALLY_FILLED   -stale     -stale     PENDING_CANCEL -illegal        (same)     -illegal
    PENDING_CANCEL     -stale     -stale     -repeated      working (a)     (same)     REJECTED (b)
    FILLED, CANCELLED,
    REJECTED, EXPIRED  -final     -final     -final         -final          -final     -final

"stale" is the refusal ``out_of_order``. (a) back to ``ACCEPTED``, or ``PARTIALLY_FILLED`` if
anything has filled. (b) only while nothing has filled: an order that traded was not
rejected (``illegal``). In words: a report whose status ranks above the order's is applied,
one that ranks the same is a repeat, one that ranks below is stale (it was overtaken:
``ACCEPTED`` after a fill, ``SUBMITTED`` after ``ACCEPTED``); ``UNKNOWN`` takes every report
but ``CANCEL_REJECTED`` (the answer to a lookup resolves it).

Fill reports (``PARTIALLY_FILLED`` / ``FILLED``, one execution each), checked in order:

1. a trade id already applied is refused (``duplicate_trade``) — the venue redelivered it;
2. a ``REJECTED`` order takes no fill (``final``), a ``FILLED`` one no more (``overfill``);
3. a fill that would take the filled quantity past the order's is refused (``overfill``);
4. otherwise it is applied, in any other status — ``NEW``, ``SUBMITTED`` and ``UNKNOWN``
   included (a market order may be filled with no ``ACCEPTED`` first), and **late fills
   after a cancel or an expiry** too: the venue traded before it cancelled, the money
   moved, and refusing the fill would put our ledger out of step with the venue's
   (NautilusTrader applies them for the same reason). The status then follows from the
   cumulative quantity, never from the report's kind: ``FILLED`` when it reaches the
   order's quantity; otherwise ``PARTIALLY_FILLED``, except that ``PENDING_CANCEL``,
   ``CANCELLED`` and ``EXPIRED`` stay as they are (the cancel is still pending, or the rest
   of the order is gone). An order sized by notional (``quantity`` ``None``) has no
   quantity to count against, so there the report's kind decides: ``FILLED`` completes it.

The filled quantity, the sum of quantity × price and the commission are kept exactly
(``Decimal`` sums), so :attr:`OrderState.average_price` is Σq·p / Σq of the applied fills.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.fast_init import quick_init
from tradebot.domain.messages import Order

__all__ = [
    "FINAL_STATUSES",
    "KEPT_BY_A_PARTIAL_FILL",
    "Applied",
    "OrderState",
    "Refusal",
    "Refused",
    "Transition",
    "apply",
    "outcome_lost",
]

FINAL_STATUSES = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)
"""Statuses no status report moves (only a late fill after a cancel or an expiry counts)."""

_ZERO = Decimal(0)
_S = OrderStatus
_RANK = {
    _S.NEW: 0,
    _S.UNKNOWN: 0,
    _S.SUBMITTED: 1,
    _S.ACCEPTED: 2,
    _S.PARTIALLY_FILLED: 3,
    _S.PENDING_CANCEL: 4,
    _S.FILLED: 5,
    _S.CANCELLED: 5,
    _S.REJECTED: 5,
    _S.EXPIRED: 5,
}
_TARGET = {
    ReportKind.SUBMITTED: _S.SUBMITTED,
    ReportKind.ACCEPTED: _S.ACCEPTED,
    ReportKind.PENDING_CANCEL: _S.PENDING_CANCEL,
    ReportKind.CANCELLED: _S.CANCELLED,
    ReportKind.EXPIRED: _S.EXPIRED,
    ReportKind.REJECTED: _S.REJECTED,
}
"""The status each status report moves an order to (``CANCEL_REJECTED``: see ``apply``)."""
KEPT_BY_A_PARTIAL_FILL = frozenset({_S.PENDING_CANCEL, _S.CANCELLED, _S.EXPIRED})
"""Statuses a fill that leaves part of the order open does not change (rule 4)."""


class Refusal(StrEnum):
    """Why a report was not applied (stored with it by the caller)."""

    WRONG_ORDER = "wrong_order"
    """It names another order, symbol or side."""
    DUPLICATE_TRADE = "duplicate_trade"
    """Its trade id was applied already."""
    OVERFILL = "overfill"
    """It would fill more than the order's quantity (or fill a filled order)."""
    FINAL = "final"
    """The order is final."""
    OUT_OF_ORDER = "out_of_order"
    """It was overtaken by a later report (it would move the order backwards)."""
    REPEATED = "repeated"
    """The order is in that status already."""
    ILLEGAL = "illegal"
    """It cannot happen to an order in this status."""


@quick_init
@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """What the venue's reports say about one order so far.

    :func:`apply` builds each new state whole, field by field (quicker than
    ``dataclasses.replace`` on the fill path): a field added here goes there too."""

    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal | None
    """The order's quantity; ``None`` for an order sized by notional."""
    status: OrderStatus = OrderStatus.NEW
    filled: Decimal = _ZERO
    """Σ quantity of the applied fills."""
    filled_value: Decimal = _ZERO
    """Σ quantity × price of the applied fills (exact, so the average price is)."""
    commission: Decimal = _ZERO
    """Σ commission of the applied fills."""
    trade_ids: frozenset[str] = frozenset()
    """The venue trade ids applied, so a redelivered fill is recognised."""
    broker_order_id: str | None = None
    last_report_ts: datetime | None = None
    """The latest venue time among the applied reports."""
    reason: str = ""
    """The latest non-empty reason a report gave (a rejection's, a cancellation's)."""

    def __post_init__(self) -> None:
        quantity = self.quantity
        if quantity is not None and not (quantity.is_finite() and quantity > _ZERO):
            raise ValueError(f"order {self.client_order_id!r}: quantity must be > 0")

    @classmethod
    def for_order(cls, order: Order) -> OrderState:
        """The state of ``order`` before any report: ``NEW``, nothing filled."""
        return cls(
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=order.quantity,
            broker_order_id=order.broker_order_id,
        )

    @classmethod
    def as_recorded(cls, order: Order) -> OrderState:
        """The state ``order``'s own record says it is in (its status, venue id and reason),
        before any report has filled anything: where the order manager starts applying the
        venue's reports to an order it has tracked by its record alone."""
        return cls(
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=order.quantity,
            status=order.status,
            broker_order_id=order.broker_order_id,
            reason=order.reason,
        )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def average_price(self) -> Decimal | None:
        """Σq·p / Σq of the applied fills; ``None`` before the first."""
        return self.filled_value / self.filled if self.filled else None

    @property
    def remaining(self) -> Decimal | None:
        """Quantity still to fill (``None`` for an order sized by notional)."""
        return None if self.quantity is None else self.quantity - self.filled


@quick_init
@dataclass(frozen=True, slots=True)
class Applied:
    """The report was applied; ``state`` is the order's new state."""

    state: OrderState


@quick_init
@dataclass(frozen=True, slots=True)
class Refused:
    """The report was not applied; ``state`` is the order's state, unchanged."""

    state: OrderState
    refusal: Refusal
    why: str


Transition = Applied | Refused


def apply(state: OrderState, report: ExecutionReport) -> Transition:
    """Apply ``report`` to ``state`` by the rules of the module's table."""
    if (
        report.client_order_id != state.client_order_id
        or (report.symbol is not None and report.symbol != state.symbol)
        or (report.side is not None and report.side != state.side)
    ):
        why = f"report for {report.client_order_id} {report.symbol or ''} {report.side or ''}"
        return Refused(state, Refusal.WRONG_ORDER, f"{why.rstrip()} is not about this order")
    if report.is_fill:
        return _fill(state, report)
    status = state.status
    kind = report.kind
    if status in FINAL_STATUSES:
        return Refused(state, Refusal.FINAL, f"{kind} after {status}: the order is final")
    if kind is ReportKind.CANCEL_REJECTED:
        if status is not _S.PENDING_CANCEL:
            return Refused(state, Refusal.ILLEGAL, f"cancel rejected while {status}: none pending")
        working = _S.PARTIALLY_FILLED if state.filled else _S.ACCEPTED
        return Applied(_moved(state, report, working))
    target = _TARGET[kind]
    if kind is ReportKind.REJECTED and state.filled:
        return Refused(state, Refusal.ILLEGAL, f"rejected after {state.filled} filled")
    rank, now = _RANK[target], _RANK[status]
    if rank > now:
        return Applied(_moved(state, report, target))
    if rank == now:
        return Refused(state, Refusal.REPEATED, f"{kind} while {status} already")
    return Refused(state, Refusal.OUT_OF_ORDER, f"{kind} after {status}: overtaken")


def outcome_lost(state: OrderState, reason: str) -> Transition:
    """The submit of a ``NEW`` order got no answer (timeout, 5xx, 429): it may or may not
    be at the venue, so it becomes ``UNKNOWN`` — never ``REJECTED`` — until a report or a
    lookup's answer says what became of it. Refused for an order the venue answered for."""
    if state.status is _S.UNKNOWN:
        return Refused(state, Refusal.REPEATED, "the outcome is unknown already")
    if state.status is not _S.NEW:
        return Refused(state, Refusal.ILLEGAL, f"outcome lost while {state.status}")
    return Applied(replace(state, status=_S.UNKNOWN, reason=reason or state.reason))


def _fill(state: OrderState, report: ExecutionReport) -> Transition:
    """Rules 1-4 of the module docstring for one fill report."""
    trade_id, quantity, price = report.trade_id, report.quantity, report.price
    status = state.status
    if trade_id is None or quantity is None or price is None:  # refused where it was made
        return Refused(state, Refusal.ILLEGAL, f"a {report.kind} report without its fill")
    if trade_id in state.trade_ids:
        return Refused(state, Refusal.DUPLICATE_TRADE, f"trade {trade_id} was applied already")
    if status is _S.REJECTED:
        return Refused(state, Refusal.FINAL, f"fill {trade_id} of a rejected order")
    if status is _S.FILLED:
        return Refused(state, Refusal.OVERFILL, f"fill {trade_id} of a filled order")
    filled = state.filled + quantity
    wanted = state.quantity
    if wanted is not None and filled > wanted:
        why = f"fill {trade_id} of {quantity} takes {state.filled} filled past {wanted}"
        return Refused(state, Refusal.OVERFILL, why)
    # (a Decimal compared with None asks whether None is a number: kept apart)
    if (report.kind is ReportKind.FILLED) if wanted is None else (filled == wanted):
        new_status = _S.FILLED
    elif status in KEPT_BY_A_PARTIAL_FILL:
        new_status = status
    else:
        new_status = _S.PARTIALLY_FILLED
    return Applied(
        OrderState(  # built whole, not through dataclasses.replace: twice as quick
            client_order_id=state.client_order_id,
            symbol=state.symbol,
            side=state.side,
            quantity=wanted,
            status=new_status,
            filled=filled,
            filled_value=state.filled_value + quantity * price,
            commission=state.commission + report.commission,
            trade_ids=state.trade_ids | {trade_id},
            broker_order_id=report.broker_order_id or state.broker_order_id,
            last_report_ts=_latest(state.last_report_ts, report.ts),
            reason=report.reason or state.reason,
        )
    )


def _moved(state: OrderState, report: ExecutionReport, status: OrderStatus) -> OrderState:
    """``state`` moved to ``status`` by a status report."""
    return OrderState(
        client_order_id=state.client_order_id,
        symbol=state.symbol,
        side=state.side,
        quantity=state.quantity,
        status=status,
        filled=state.filled,
        filled_value=state.filled_value,
        commission=state.commission,
        trade_ids=state.trade_ids,
        broker_order_id=report.broker_order_id or state.broker_order_id,
        last_report_ts=_latest(state.last_report_ts, report.ts),
        reason=report.reason or state.reason,
    )


def _latest(known: datetime | None, ts: datetime) -> datetime:
    return ts if known is None or ts > known else known
