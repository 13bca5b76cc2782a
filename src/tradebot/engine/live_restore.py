"""The live book's restore: a live (or paper-on-live-data) run restarted after a crash or a
clean stop takes back what it recorded, sends nothing, and lets reconciliation decide.

A paper replay resumes by replaying its bars (:mod:`tradebot.engine.resume`); a live run
has no bars to replay — the venue went on without it. So:

- the ledger is rebuilt from the run's recorded fills, in the order they happened
  (``Portfolio.apply_fill``: cash, positions, realised P&L, the same round trips);
- every recorded order is tracked again as it stands (``adopt_recorded``), its recorded
  fills applied to its state (filled quantity, trade ids: a fill the venue delivers again
  is recognised), and **none is sent**: a non-final one may be working at the venue, may
  have filled, or may never have reached it — :class:`~tradebot.engine.reconciler.Reconciler`
  asks, and closes one the venue never saw; nothing is resubmitted.

Cold start (nothing recorded) and crash restart are one code path: restore, possibly
nothing, then reconcile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from tradebot.domain.enums import OrderStatus, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import ClosedTrade, Fill, Order, TradingDecision
from tradebot.domain.order_state import FINAL_STATUSES, Applied, OrderState, apply
from tradebot.engine.portfolio import Portfolio

__all__ = ["AdoptsRecorded", "RecordedRun", "RestoredBook", "restore_live_book"]

_ZERO = Decimal(0)
_BEFORE_FILLS = frozenset({OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.UNKNOWN})


class RecordedRun(Protocol):
    """What a run recorded (the SQL store's reads)."""

    def orders(self, run_id: str) -> list[Order]: ...

    def fills(self, run_id: str) -> list[Fill]: ...

    def decisions(self, run_id: str) -> list[TradingDecision]: ...


class AdoptsRecorded(Protocol):
    """The order manager's way to track a recorded order without sending it."""

    def adopt_recorded(
        self,
        order: Order,
        strategies: tuple[str, ...],
        reference_price: Decimal,
        state: OrderState | None = None,
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class RestoredBook:
    orders: int
    """Recorded orders tracked again."""
    open_orders: tuple[str, ...]
    """Client ids of those not final: for reconciliation to ask about."""
    fills: int
    fill_ids: frozenset[str]
    last_fill_at: datetime | None
    """The time of the last recorded fill: the venue is asked for its fills since then."""
    closed_trades: tuple[ClosedTrade, ...]
    """Round trips the rebuilt ledger closed again (recorded already: not recorded twice)."""

    @property
    def empty(self) -> bool:
        return self.orders == 0 and self.fills == 0


def restore_live_book(
    store_reads: RecordedRun, run_id: str, orders: AdoptsRecorded, portfolio: Portfolio
) -> RestoredBook:
    """Track ``run_id``'s recorded orders in ``orders`` (sending nothing) and rebuild
    ``portfolio`` from its recorded fills (see the module docstring)."""
    recorded = store_reads.orders(run_id)
    fills = store_reads.fills(run_id)
    decided = {d.id: d for d in store_reads.decisions(run_id)}
    by_order: dict[str, list[Fill]] = {}
    for fill in fills:
        by_order.setdefault(fill.client_order_id, []).append(fill)
    still_open = []
    for order in recorded:
        decision = decided.get(order.decision_id)
        strategies = decision.strategies if decision is not None else ()
        reference = decision.reference_price if decision is not None else _reference(order)
        state = _state(order, by_order.get(order.client_order_id, ()))
        orders.adopt_recorded(order, strategies, reference, state)
        if order.status not in FINAL_STATUSES:
            still_open.append(order.client_order_id)
    trades = tuple(t for fill in fills if (t := portfolio.apply_fill(fill)) is not None)
    return RestoredBook(
        orders=len(recorded),
        open_orders=tuple(still_open),
        fills=len(fills),
        fill_ids=frozenset(f.fill_id for f in fills),
        last_fill_at=max((f.ts for f in fills), default=None),
        closed_trades=trades,
    )


def _reference(order: Order) -> Decimal:
    """A price to value the order at without its decision (reserved cash)."""
    return order.limit_price or order.stop_price or _ZERO


def _status(recorded: OrderStatus, by_fills: OrderStatus) -> OrderStatus:
    """The recorded status, unless the recorded fills went further: a fill is written
    before its order's new status, so a crash between the two writes leaves a filled
    order recorded as working (the venue's fills are then all applied already, and no
    report could ever finish it)."""
    if recorded is OrderStatus.NEW:
        return by_fills
    if by_fills is OrderStatus.FILLED and recorded not in FINAL_STATUSES:
        return by_fills
    if by_fills is OrderStatus.PARTIALLY_FILLED and recorded in _BEFORE_FILLS:
        return by_fills
    return recorded


def _state(order: Order, fills: Sequence[Fill]) -> OrderState | None:
    """The order's state as its record and its recorded fills say (``None`` when it has no
    fill: its record says all there is). The recorded status stands: a fill that the
    record's status already counts moves nothing but the quantities and trade ids."""
    if not fills:
        return None
    state = OrderState.for_order(order)
    for fill in sorted(fills, key=lambda f: f.ts):
        report = ExecutionReport(
            kind=ReportKind.PARTIALLY_FILLED,
            client_order_id=fill.client_order_id,
            ts=fill.ts,
            broker_order_id=order.broker_order_id,
            trade_id=fill.fill_id,
            quantity=fill.quantity,
            price=fill.price,
            commission=fill.commission,
            symbol=order.symbol,
            side=order.side,
        )
        outcome = apply(state, report)
        if isinstance(outcome, Applied):
            state = outcome.state
    return replace(  # the fills' state, with the record's status (healed), venue id, reason
        state,
        status=_status(order.status, state.status),
        broker_order_id=order.broker_order_id or state.broker_order_id,
        reason=order.reason,
    )
