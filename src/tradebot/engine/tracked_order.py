"""One order as the order manager tracks it: its record, and the venue's reports so far.

Kept apart from the order manager so the decision stages and reconciliation can read an
order's state without the manager's machinery. ``state`` is built lazily: a backtest's
order is filled by its first report and never asked about again, so the state that report
makes (:func:`~tradebot.domain.first_report.first_fill_state`) is made only if asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tradebot.domain.enums import OrderStatus
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.first_report import first_fill_state
from tradebot.domain.messages import Order
from tradebot.domain.order_state import FINAL_STATUSES, OrderState

__all__ = ["TrackedOrder", "new_tracked", "reserved_cash_of"]

_ZERO = Decimal(0)


@dataclass(slots=True)
class TrackedOrder:
    order: Order
    """The order as recorded: its latest status, reason and venue id."""
    strategies: tuple[str, ...]
    reference_price: Decimal
    _state: OrderState | None = None
    """What the venue's reports say so far (filled quantity, trade ids, ...); made at the
    first report: until then ``order`` says all there is (its status, no fill)."""
    parent: str | None = None
    """For a bracket's protective child: the client id of its entry."""
    children: tuple[str, ...] = ()
    """For a bracket entry: the client ids of its stop-loss and take-profit children."""
    _first: tuple[Order, ExecutionReport, OrderStatus] | None = None
    """While ``_state`` is not made: the order's record before its first report, that
    report — a fill that fits it (:func:`~tradebot.domain.first_report.first_fill`) — and
    the status it moved the order to. A backtest's orders are filled by their first report
    and never asked about again, so the state they make is built only if asked for."""

    @property
    def is_open(self) -> bool:
        return self.order.status not in FINAL_STATUSES

    @property
    def is_protective(self) -> bool:
        return self.parent is not None

    @property
    def reported(self) -> bool:
        """Whether the venue has reported on this order yet."""
        return self._state is not None or self._first is not None

    @property
    def state(self) -> OrderState:
        state = self._state
        if state is None:
            first = self._first
            state = self._state = (
                OrderState.as_recorded(self.order) if first is None else first_fill_state(*first)
            )
        return state

    @state.setter
    def state(self, state: OrderState) -> None:
        self._state = state

    @property
    def filled(self) -> Decimal:
        return self.state.filled if self.reported else _ZERO


def new_tracked(
    order: Order, strategies: tuple[str, ...], reference_price: Decimal, parent: str | None = None
) -> TrackedOrder:
    """A newly tracked order, nothing reported yet."""
    return TrackedOrder(order, strategies, reference_price, None, parent)


def reserved_cash_of(order_tracked: TrackedOrder) -> Decimal:
    """What the rest of an open buy may still cost, at its reference price."""
    order = order_tracked.order
    if order.notional is not None:
        return order.notional
    assert order.quantity is not None
    return (order.quantity - order_tracked.filled) * order_tracked.reference_price
