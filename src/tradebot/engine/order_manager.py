"""The order manager: turns an acted decision into exactly one order, and tracks its state.

The client order id is derived from the decision id and the order is recorded *before* the
broker is called, so a redelivered decision or a restart finds the order and does not send
it again; and if the record cannot be written, nothing is sent. A temporary broker error on
submit means "outcome unknown" (status ``unknown``), never "rejected": the broker is asked
by client order id before anything is resubmitted.

Brackets: a decision with a ``stop_loss``, a ``take_profit`` or both goes out through the
venue's ``submit_bracket`` where it has one (a :class:`~tradebot.ports.BracketVenue`); without one
it goes out plain and its levels are the decision stage's to enforce (the risk engine
reviews its stops every bar). The bracket's children (a protective stop and/or a profit
target, one-cancels-other at the venue) are built here
(:func:`~tradebot.domain.bracket.bracket_children`, ids derived from the entry's) and
recorded with the entry *before* the venue sees any of them, so the venue never holds an
order the store does not know; a write that fails sends nothing of the bracket. They are
tracked apart from the open orders the decision stages count (a protective stop is not
a pending entry), their fills carry the entry decision's context, and they become working
when the entry fills. Any order on the side that closes the position (an exit, a cover, a
rebalance sell) first cancels that position's working children, so the venue can never
close a position twice. Later legs of a decision (gradual-entry tranches) go out through
:meth:`OrderManager.submit_leg` with client ids ``tb-<decision>.<leg>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from tradebot.domain.bracket import bracket_children
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus
from tradebot.domain.errors import BrokerError, TemporaryBrokerError
from tradebot.domain.messages import Fill, Order, TradingDecision
from tradebot.engine.ids import client_order_id
from tradebot.engine.topics import ORDERS
from tradebot.ops.logging import get_logger
from tradebot.ports import BracketVenue, Broker, Bus, Store

__all__ = ["OrderManager", "TrackedOrder"]

_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED})
_WORKING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})

Bracket = tuple[Decimal | None, Decimal | None]
"""(stop-loss, take-profit) attached to an entry; at least one of them is set."""


@dataclass(slots=True)
class TrackedOrder:
    order: Order
    strategies: tuple[str, ...]
    reference_price: Decimal
    filled: Decimal = Decimal(0)
    fill_ids: set[str] = field(default_factory=set)
    parent: str | None = None
    """For a bracket's protective child: the client id of its entry."""
    children: tuple[str, ...] = ()
    """For a bracket entry: the client ids of its stop-loss and take-profit children."""

    @property
    def is_open(self) -> bool:
        return self.order.status not in _TERMINAL

    @property
    def is_protective(self) -> bool:
        return self.parent is not None


class OrderManager:
    stage = "order-manager"

    def __init__(self, *, run_id: str, broker: Broker, store: Store, bus: Bus) -> None:
        self._run_id = run_id
        self._broker = broker
        self._brackets = broker if isinstance(broker, BracketVenue) else None
        self._store = store
        self._bus = bus
        self._orders: dict[str, TrackedOrder] = {}
        self._open: dict[str, TrackedOrder] = {}  # the non-terminal subset, kept small
        self._protective: dict[str, TrackedOrder] = {}  # open bracket children
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
            type=decision.order_type,
            quantity=None if decision.notional is not None else decision.quantity,
            notional=decision.notional,
            limit_price=decision.limit_price,
            stop_price=decision.stop_price,
            created_at=decision.ts,
            reason=decision.reason,
        )
        bracket = _bracket(decision.stop_loss, decision.take_profit)
        self._place(order, decision.strategies, decision.reference_price, bracket)

    def submit_leg(
        self,
        decision_id: str,
        leg: int,
        quantity: Decimal,
        created_at: datetime,
        reason: str,
        bracket: Bracket | None = None,
    ) -> Order | None:
        """Send leg ``leg`` (≥ 1) of an acted decision — a later tranche of a gradual entry —
        as its own order for ``quantity``, like the decision's first order; ``None`` when
        the decision has no order here (nothing to attach the leg to)."""
        first = self._orders.get(client_order_id(decision_id))
        if first is None:
            self._log.warning("leg of a decision without an order", decision_id=decision_id)
            return None
        coid = client_order_id(decision_id, leg)
        known = self._orders.get(coid)
        if known is not None:
            return known.order  # sent already (a redelivery or a replay)
        order = Order(
            client_order_id=coid,
            decision_id=decision_id,
            symbol=first.order.symbol,
            side=first.order.side,
            quantity=quantity,
            created_at=created_at,
            reason=reason,
        )
        self._place(order, first.strategies, first.reference_price, bracket)
        return self._orders[coid].order

    def restore(
        self,
        order: Order,
        strategies: tuple[str, ...],
        reference_price: Decimal,
        bracket: Bracket | None = None,
    ) -> None:
        """Send a recorded order again, as it was first sent (resuming a run: the venue is
        rebuilt from the run's own orders). An order known here is left alone."""
        if order.client_order_id in self._orders:
            return
        fresh = order.evolve(status=OrderStatus.NEW, broker_order_id=None)
        self._place(fresh, strategies, reference_price, bracket)

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
        for child in tracked.children:  # the venue arms a bracket's children on the fill
            held = self._orders[child]
            if held.is_open:
                armed = {"status": OrderStatus.ACCEPTED, "quantity": tracked.filled}
                self._update(child, held.order.evolve(**armed, notional=None))

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

    # --- queries used by the decision stages and the portfolio ------------------------
    def context(self, coid: str) -> tuple[str, tuple[str, ...]]:
        tracked = self._orders[coid]
        return tracked.order.decision_id, tracked.strategies

    def tracked(self, coid: str) -> TrackedOrder | None:
        """What is known about the order with this client id (``None`` if none)."""
        return self._orders.get(coid)

    def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders the decision stages sent (bracket children are not among them)."""
        return [t.order for t in self._open.values() if symbol is None or t.order.symbol == symbol]

    def protective_orders(self, symbol: str | None = None) -> list[Order]:
        """Open bracket children (held until their entry fills, then working)."""
        return [
            t.order for t in self._protective.values() if symbol is None or t.order.symbol == symbol
        ]

    def has_open(self) -> bool:
        """Whether any order is still open (cheap: the hot path asks before counting)."""
        return bool(self._open)

    def open_count(self, symbol: str) -> int:
        """How many orders for ``symbol`` are still open (without building a list)."""
        if not self._open:
            return 0
        return sum(1 for t in self._open.values() if t.order.symbol == symbol)

    def reserved_cash(self) -> Decimal:
        """Notional of open buy orders not yet filled, valued at their decision price."""
        if not self._open:
            return Decimal(0)
        return sum(
            (_reserved(t) for t in self._open.values() if t.order.side is OrderSide.BUY), Decimal(0)
        )

    # --- internals --------------------------------------------------------------------
    def _place(
        self,
        order: Order,
        strategies: tuple[str, ...],
        reference_price: Decimal,
        bracket: Bracket | None,
    ) -> None:
        """Free the position from its protective children if ``order`` closes it, record
        the order (and its bracket's children), then hand it to the venue (as a bracket
        when asked and possible)."""
        self._release_protection(order.symbol, order.side, order.decision_id)
        coid = order.client_order_id
        children = (
            () if bracket is None or self._brackets is None else bracket_children(order, *bracket)
        )
        for prepared in (order, *children):  # durable before the venue sees any of them
            self._store.record_order(self._run_id, prepared)
        parent = self._orders[coid] = TrackedOrder(order, strategies, reference_price)
        if not children:
            self._update(coid, self._submit(order))
            return
        parent.children = tuple(c.client_order_id for c in children)
        for child in children:
            self._orders[child.client_order_id] = TrackedOrder(
                child, strategies, reference_price, parent=coid
            )
        entry, sent = self._submit_bracket(order, children)
        self._update(coid, entry)
        for prepared, child in zip(children, sent, strict=True):
            self._record(child.client_order_id, child, durable=child == prepared)

    def _submit_bracket(
        self, order: Order, children: tuple[Order, ...]
    ) -> tuple[Order, list[Order]]:
        """The venue's answer for the entry and each child. Outcome unknown: the venue is
        asked about each; refused: the entry is rejected and its children cancelled."""
        assert self._brackets is not None
        try:
            entry, *sent = self._brackets.submit_bracket(order, children)
            return entry, sent
        except TemporaryBrokerError as exc:
            self._log.warning(
                "bracket outcome unknown", client_order_id=order.client_order_id, error=str(exc)
            )
            unknown = {"status": OrderStatus.UNKNOWN, "reason": exc.one_line()}
            known = [self._lookup(o) for o in (order, *children)]
            entry, *sent = (
                k or o.evolve(**unknown) for k, o in zip(known, (order, *children), strict=True)
            )
            return entry, sent
        except BrokerError as exc:
            why = f"cancelled: entry {order.client_order_id} was rejected"
            cancelled = [c.evolve(status=OrderStatus.CANCELLED, reason=why) for c in children]
            return order.evolve(status=OrderStatus.REJECTED, reason=exc.one_line()), cancelled

    def _release_protection(self, symbol: str, side: OrderSide, decision_id: str) -> None:
        """Cancel the working bracket children that would close the same position as an
        order on ``side`` (children still held for an unfilled entry are left alone)."""
        if not self._protective:
            return
        for coid, tracked in list(self._protective.items()):
            child = tracked.order
            if child.symbol != symbol or child.side is not side or child.status not in _WORKING:
                continue
            self._broker.cancel(coid)
            reason = f"cancelled: decision {decision_id} closes the position"
            self._update(coid, child.evolve(status=OrderStatus.CANCELLED, reason=reason))

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
        self._record(coid, order)

    def _record(self, coid: str, order: Order, *, durable: bool = False) -> None:
        """Take ``order`` as the latest state of ``coid``, store it (unless that exact
        state is stored already: ``durable``) and publish it."""
        tracked = self._orders[coid]
        tracked.order = order
        book = self._protective if tracked.is_protective else self._open
        if tracked.is_open:
            book[coid] = tracked
        else:
            book.pop(coid, None)
        if not durable:
            self._store.record_order(self._run_id, order)
        self._bus.publish(ORDERS, order)


def _bracket(stop_loss: Decimal | None, take_profit: Decimal | None) -> Bracket | None:
    if stop_loss is None and take_profit is None:
        return None
    return stop_loss, take_profit


def _reserved(tracked: TrackedOrder) -> Decimal:
    order = tracked.order
    if order.notional is not None:
        return order.notional
    assert order.quantity is not None
    return (order.quantity - tracked.filled) * tracked.reference_price
