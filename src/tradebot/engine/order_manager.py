"""The order manager: turns an acted decision into exactly one order, and tracks its state.

The client order id is derived from the decision id and the order is recorded *before* the
broker is called, so a redelivered decision or a restart finds the order and does not send
it again; and if the record cannot be written, nothing is sent. A temporary broker error on
submit means "outcome unknown" (status ``unknown``), never "rejected": the broker is asked
by client order id before anything is resubmitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus
from tradebot.domain.errors import BrokerError, TemporaryBrokerError
from tradebot.domain.messages import Fill, Order, TradingDecision
from tradebot.engine.ids import client_order_id
from tradebot.engine.topics import ORDERS
from tradebot.ops.logging import get_logger
from tradebot.ports import Broker, Bus, Store

__all__ = ["OrderManager", "TrackedOrder"]

_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED})


@dataclass(slots=True)
class TrackedOrder:
    order: Order
    strategies: tuple[str, ...]
    reference_price: Decimal
    filled: Decimal = Decimal(0)
    fill_ids: set[str] = field(default_factory=set)

    @property
    def is_open(self) -> bool:
        return self.order.status not in _TERMINAL


class OrderManager:
    stage = "order-manager"

    def __init__(self, *, run_id: str, broker: Broker, store: Store, bus: Bus) -> None:
        self._run_id = run_id
        self._broker = broker
        self._store = store
        self._bus = bus
        self._orders: dict[str, TrackedOrder] = {}
        self._open: dict[str, TrackedOrder] = {}  # the non-terminal subset, kept small
        self._log = get_logger(self.stage)

    # --- handlers ---------------------------------------------------------------------
    def on_decision(self, decision: TradingDecision) -> None:
        if decision.action is not DecisionAction.ACT or decision.side is None:
            return
        coid = client_order_id(decision.id)
        if coid in self._orders:
            return  # redelivered decision: the order already exists
        order = Order(
            client_order_id=coid,
            decision_id=decision.id,
            symbol=decision.symbol,
            side=decision.side,
            quantity=None if decision.notional is not None else decision.quantity,
            notional=decision.notional,
            created_at=decision.ts,
            reason=decision.reason,
        )
        self._store.record_order(self._run_id, order)  # durable before the venue sees it
        self._orders[coid] = TrackedOrder(order, decision.strategies, decision.reference_price)
        self._update(coid, self._submit(order))

    def on_fill(self, fill: Fill) -> None:
        tracked = self._orders.get(fill.client_order_id)
        if tracked is None:
            self._log.warning("fill for an unknown order", client_order_id=fill.client_order_id)
            return
        if fill.fill_id in tracked.fill_ids:
            return
        tracked.fill_ids.add(fill.fill_id)
        tracked.filled += fill.quantity
        wanted = tracked.order.quantity
        done = wanted is None or tracked.filled >= wanted  # a notional order fills at once
        status = OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED
        self._update(fill.client_order_id, tracked.order.evolve(status=status))

    def on_venue_update(self, order: Order) -> None:
        """The venue changed an order's status on its own (rejected at fill time, cancelled
        as an OCO sibling): take its status and reason, unless the order is already final
        here (a late or repeated update changes nothing)."""
        tracked = self._orders.get(order.client_order_id)
        if tracked is None:
            self._log.warning("update for an unknown order", client_order_id=order.client_order_id)
            return
        if not tracked.is_open or order.status is tracked.order.status:
            return
        change = {"status": order.status, "reason": order.reason or tracked.order.reason}
        self._update(order.client_order_id, tracked.order.evolve(**change))

    # --- queries used by the decision stage and the portfolio -------------------------
    def context(self, coid: str) -> tuple[str, tuple[str, ...]]:
        tracked = self._orders[coid]
        return tracked.order.decision_id, tracked.strategies

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        return [t.order for t in self._open.values() if symbol is None or t.order.symbol == symbol]

    def open_count(self, symbol: str) -> int:
        """How many orders for ``symbol`` are still open (without building a list)."""
        if not self._open:
            return 0
        return sum(1 for t in self._open.values() if t.order.symbol == symbol)

    def open_buys(self) -> int:
        """How many open orders are buys (each will become a position)."""
        if not self._open:
            return 0
        return sum(1 for t in self._open.values() if t.order.side is OrderSide.BUY)

    def reserved_cash(self) -> Decimal:
        """Notional of open buy orders not yet filled, valued at their decision price."""
        if not self._open:
            return Decimal(0)
        return sum(
            (_reserved(t) for t in self._open.values() if t.order.side is OrderSide.BUY), Decimal(0)
        )

    # --- internals --------------------------------------------------------------------
    def _submit(self, order: Order) -> Order:
        try:
            return self._broker.submit(order)
        except TemporaryBrokerError as exc:
            self._log.warning(
                "submit outcome unknown",
                client_order_id=order.client_order_id,
                error=exc.one_line(),
            )
            known = self._lookup(order)
            return (
                known
                if known is not None
                else order.evolve(status=OrderStatus.UNKNOWN, reason=exc.one_line())
            )
        except BrokerError as exc:
            return order.evolve(status=OrderStatus.REJECTED, reason=exc.one_line())

    def _lookup(self, order: Order) -> Order | None:
        try:
            return self._broker.lookup(order.client_order_id)
        except BrokerError:
            return None

    def _update(self, coid: str, order: Order) -> None:
        tracked = self._orders[coid]
        known = tracked.order
        unchanged = order.status is known.status and (order is known or order == known)
        if unchanged and order.status is not OrderStatus.NEW:
            return  # a repeated report: nothing to record
        tracked.order = order
        if tracked.is_open:
            self._open[coid] = tracked
        else:
            self._open.pop(coid, None)
        self._store.record_order(self._run_id, order)
        self._bus.publish(ORDERS, order)


def _reserved(tracked: TrackedOrder) -> Decimal:
    order = tracked.order
    if order.notional is not None:
        return order.notional
    assert order.quantity is not None
    return (order.quantity - tracked.filled) * tracked.reference_price
