"""The order manager: turns an acted decision into exactly one order, and tracks its state
by applying the venue's execution reports through the order state machine
(:mod:`tradebot.domain.order_state`): an order changes only by a report that fits it; one
that does not (a repeat, a stale status, a second fill of one trade) is refused, logged and
kept in :attr:`OrderManager.refused`, never applied. A fill report becomes the pipeline's
:class:`~tradebot.domain.messages.Fill`, recorded, then published on ``fills``.

The client order id is derived from the decision id and the order is recorded *before* the
broker is called, so a redelivered decision or a restart finds the order and does not send
it again; and if the record cannot be written, nothing is sent. A temporary broker error on
submit means "outcome unknown" (status ``unknown``), never "rejected": the broker is asked
by client order id at once and then on a backoff schedule
(:mod:`tradebot.engine.lost_replies`); nothing is ever resubmitted.

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

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from tradebot.domain.bracket import bracket_children
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus, ReportKind
from tradebot.domain.errors import BrokerError, TemporaryBrokerError
from tradebot.domain.execution import FILL_KINDS, ExecutionReport, status_report
from tradebot.domain.first_report import first_fill
from tradebot.domain.messages import Order, TradingDecision
from tradebot.domain.order_lookup import LookupSchedule
from tradebot.domain.order_state import (
    FINAL_STATUSES,
    OrderState,
    Refusal,
    Refused,
    apply,
    outcome_lost,
)
from tradebot.engine.ids import CLIENT_ID_PREFIX, client_order_id
from tradebot.engine.lost_replies import LostReplies
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.topics import FILLS, ORDERS
from tradebot.engine.tracked_order import TrackedOrder, new_tracked, reserved_cash_of
from tradebot.ops.logging import get_logger
from tradebot.ports import BracketVenue, Broker, Bus, Clock, ReconcilingBroker, Store

__all__ = ["OrderManager", "TrackedOrder"]

_ZERO = Decimal(0)
_WORKING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_FILLED})
_FILLING = frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})

Bracket = tuple[Decimal | None, Decimal | None]
"""(stop-loss, take-profit) attached to an entry; at least one of them is set."""


class OrderManager:
    stage = "order-manager"

    def __init__(
        self,
        *,
        run_id: str,
        broker: Broker,
        store: Store,
        bus: Bus,
        clock: Clock | None = None,
        gate: OperatorGate | None = None,
        lookups: LookupSchedule | None = None,
    ) -> None:
        """``clock``: for the time of the venue's answers and the timers that ask about an
        order whose reply was lost (without one, it is asked once, at once). ``gate``: the
        operator's pause and kill switch, checked before anything is sent."""
        self._run_id = run_id
        self._broker = broker
        self._brackets = broker if isinstance(broker, BracketVenue) else None
        self._book = broker if isinstance(broker, ReconcilingBroker) else None
        self._store = store
        self._bus = bus
        self._clock = clock
        self.gate = gate
        self.holding: Callable[[str], Decimal] | None = None
        """Signed quantity held of a symbol (the portfolio's): tells whether an order
        closes a position, which a halt still lets through while flattening."""
        self._orders: dict[str, TrackedOrder] = {}
        self._open: dict[str, TrackedOrder] = {}  # the non-final subset, kept small
        self._protective: dict[str, TrackedOrder] = {}  # open bracket children
        self.refused: list[tuple[ExecutionReport, str]] = []
        """Reports that did not fit their order, with why (never applied)."""
        self._lost = (
            None
            if clock is None
            else LostReplies(broker, clock, self._venue_view, self._escalate, lookups)
        )
        self._log = get_logger(self.stage)

    @property
    def lost_replies(self) -> LostReplies | None:
        """Who keeps asking about orders whose reply was lost (the kernel routes its
        timers there)."""
        return self._lost

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
        stop_loss, take_profit = decision.stop_loss, decision.take_profit
        bracket = None if stop_loss is None and take_profit is None else (stop_loss, take_profit)
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

    def adopt_recorded(
        self,
        order: Order,
        strategies: tuple[str, ...],
        reference_price: Decimal,
        state: OrderState | None = None,
    ) -> None:
        """Track a recorded order as it stands, without sending it (a live restart: it may
        be at the venue, and reconciliation asks). An order known here is left alone; one
        whose restored ``state`` went further than its record is recorded again as it."""
        coid = order.client_order_id
        if coid in self._orders:
            return
        healed = state is not None and state.status is not order.status
        if healed:  # the fills went further than the record (a crash between two writes)
            assert state is not None
            order = order.evolve(status=state.status)
        tracked = self._orders[coid] = TrackedOrder(order, strategies, reference_price, state)
        if tracked.is_open:
            self._open[coid] = tracked
        if healed:
            self._store.record_order(self._run_id, order)

    def on_report(self, report: ExecutionReport) -> None:
        """Apply what the venue says of one of our orders: a status change, or a fill —
        recorded, then published on ``fills`` (after the order's own update, as the
        bracket's children arm on it). A report that does not fit is refused."""
        coid = report.client_order_id
        tracked = self._orders.get(coid)
        if tracked is None:
            self._refuse(report, "no order with this client id here")
            return
        order = tracked.order
        if (
            tracked._state is None
            and tracked._first is None
            and (status := first_fill(order, report)) is not None
        ):  # a first report that fills the order: applied as apply would, state made later
            tracked._first = (order, report, status)
            broker_id = report.broker_order_id or order.broker_order_id
        else:
            outcome = apply(tracked.state, report)
            if isinstance(outcome, Refused):
                # the venue saying again what is known (a cancel it reports after we applied
                # our own) is no fault: kept, but not worth a warning
                echo = outcome.refusal is Refusal.REPEATED or (
                    outcome.refusal is Refusal.FINAL and _STATUS_OF[report.kind] is order.status
                )
                self._refuse(report, f"{outcome.refusal}: {outcome.why}", quiet=echo)
                return
            state = tracked._state = outcome.state
            status, broker_id = state.status, state.broker_order_id
        lost = self._lost
        if lost is not None and coid in lost:
            lost.resolved(coid)
        gate = self.gate
        if gate is not None and gate.unknown.get(order.symbol) == coid:
            del gate.unknown[order.symbol]  # settled: entries in the symbol may go again
        if report.reason or (broker_id is not None and broker_id != order.broker_order_id):
            change: dict[str, object] = {"status": status}
            if report.reason:
                change["reason"] = report.reason
            if broker_id is not None and broker_id != order.broker_order_id:
                change["broker_order_id"] = broker_id
            now = order.evolve(**change)
        else:  # the common report: a status and nothing else
            now = order.evolve(status=status)
        if report.kind not in FILL_KINDS:
            self._update(coid, now)
            return
        fill = report.fill  # the venue's own Fill where it made one (as to_fill hands it on)
        if fill is None or fill.symbol != order.symbol or fill.side is not order.side:
            fill = report.to_fill(order.symbol, order.side)
        self._store.record_fill(self._run_id, fill)
        self._update(coid, now)
        for child in tracked.children:  # the venue arms a bracket's children on the fill
            self._arm(child, tracked.state.filled)
        self._bus.publish(FILLS, fill)

    def cancel_open(self, reason: str, ts: datetime) -> list[str]:
        """Ask the venue to cancel every open order, bracket children included (the kill
        switch); the client ids asked about. An order the venue could not be asked about
        stays as it is, logged."""
        asked = []
        for coid, tracked in [*self._open.items(), *self._protective.items()]:
            if tracked.is_open and tracked.order.status is not OrderStatus.PENDING_CANCEL:
                self._cancel(coid, reason, ts)
                asked.append(coid)
        if self._book is not None:  # a live venue: whatever of ours it still works
            asked.extend(self._cancel_at_venue(set(asked)))
        return asked

    def _cancel_at_venue(self, asked: set[str]) -> list[str]:
        """Cancel the venue's open orders that carry one of our client ids and were not
        asked about yet (left by an earlier session, or arrived after a lost reply)."""
        assert self._book is not None
        try:
            working = self._book.open_orders()
        except BrokerError as exc:
            self._log.error(
                "kill: the venue's open orders could not be listed", error=exc.one_line()
            )
            return []
        more = []
        for order in working:
            coid = order.client_order_id
            if coid in asked or not coid.startswith(CLIENT_ID_PREFIX):
                continue
            try:
                self._broker.cancel(coid)
            except BrokerError as exc:
                self._log.error(
                    "cancel failed",
                    client_order_id=coid,
                    decision_id=self._decision_of(coid),
                    error=exc.one_line(),
                )
                continue
            more.append(coid)
        return more

    # --- queries used by the decision stages and the portfolio ------------------------
    def context(self, coid: str) -> tuple[str, tuple[str, ...]]:
        tracked = self._orders[coid]
        return tracked.order.decision_id, tracked.strategies

    def _decision_of(self, coid: str) -> str | None:
        """The decision an order of ours stems from (the logs' correlation id)."""
        tracked = self._orders.get(coid)
        return None if tracked is None else tracked.order.decision_id

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
            return _ZERO
        return sum(
            (reserved_cash_of(t) for t in self._open.values() if t.order.side is OrderSide.BUY),
            _ZERO,
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
        when asked and possible) — unless the operator halted or paused trading."""
        gate = self.gate
        if gate is not None and (
            gate.halted is not None or gate.paused is not None or gate.unknown
        ):
            block = gate.order_block(closes=self._closes(order))
            unsettled = gate.unknown.get(order.symbol)
            why = None
            if block is not None:
                why = f"not sent: {block.describe()}"
            elif unsettled is not None and not self._closes(order):
                why = f"not sent: order {unsettled} of {order.symbol} is still unknown at the venue"
            if why is not None:  # recorded once, already refused: it never goes out
                refused = order.evolve(status=OrderStatus.REJECTED, reason=why)
                self._orders[order.client_order_id] = new_tracked(
                    refused, strategies, reference_price
                )
                self._record(order.client_order_id, refused)
                return
        if self._protective:
            self._release_protection(order.symbol, order.side, order.decision_id, order.created_at)
        coid = order.client_order_id
        if bracket is None or self._brackets is None:  # a plain order: durable, then sent
            self._store.record_order(self._run_id, order)
            children: tuple[Order, ...] = ()
        else:
            children = bracket_children(order, *bracket)
            for prepared in (order, *children):  # durable before the venue sees any of them
                self._store.record_order(self._run_id, prepared)
        parent = self._orders[coid] = TrackedOrder(order, strategies, reference_price)
        if not children:
            view = self._submit(order)
            if (
                view.status is OrderStatus.ACCEPTED
                and parent._state is None
                and parent._first is None
            ):
                self._update(coid, view)  # the common answer (as _acknowledge takes it)
            else:
                self._acknowledge(coid, view)
            return
        parent.children = tuple(c.client_order_id for c in children)
        for child in children:
            self._orders[child.client_order_id] = new_tracked(
                child, strategies, reference_price, parent=coid
            )
        entry, sent = self._submit_bracket(order, children)
        self._acknowledge(coid, entry)
        for prepared, child in zip(children, sent, strict=True):
            if child.status is OrderStatus.NEW:  # held by the venue until the entry fills
                self._record(child.client_order_id, child, durable=child == prepared)
            else:
                self._acknowledge(child.client_order_id, child)

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
                "bracket outcome unknown",
                client_order_id=order.client_order_id,
                decision_id=order.decision_id,
                error=str(exc),
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

    def _release_protection(
        self, symbol: str, side: OrderSide, decision_id: str, ts: datetime
    ) -> None:
        """Cancel the working bracket children that would close the same position as an
        order on ``side`` (children still held for an unfilled entry are left alone)."""
        if not self._protective:
            return
        for coid, tracked in list(self._protective.items()):
            child = tracked.order
            if child.symbol != symbol or child.side is not side or child.status not in _WORKING:
                continue
            self._cancel(coid, f"cancelled: decision {decision_id} closes the position", ts)

    def _cancel(self, coid: str, reason: str, ts: datetime) -> None:
        """Ask the venue to cancel ``coid`` and apply its answer: cancelled at once (a
        simulated venue, or one that did not know it), or pending until its report."""
        try:
            view = self._broker.cancel(coid)
        except BrokerError as exc:
            self._log.error(
                "cancel failed",
                client_order_id=coid,
                decision_id=self._decision_of(coid),
                error=exc.one_line(),
            )
            return
        pending = view is not None and view.status is OrderStatus.PENDING_CANCEL
        kind = ReportKind.PENDING_CANCEL if pending else ReportKind.CANCELLED
        self.on_report(ExecutionReport(kind=kind, client_order_id=coid, ts=ts, reason=reason))

    def _submit(self, order: Order) -> Order:
        try:
            return self._broker.submit(order)
        except TemporaryBrokerError as exc:
            self._log.warning(
                "submit outcome unknown",
                client_order_id=order.client_order_id,
                decision_id=order.decision_id,
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

    def _acknowledge(self, coid: str, view: Order) -> None:
        """The venue's answer to a submit (or a lookup made right after): apply it as a
        report; a lost reply makes the order UNKNOWN and starts asking about it."""
        tracked = self._orders[coid]
        if view.status is OrderStatus.ACCEPTED and not tracked.reported:
            self._update(coid, view)  # the common answer, before any report: the order says it
            return
        if view.status is OrderStatus.UNKNOWN:
            lost = outcome_lost(tracked.state, view.reason)
            tracked.state = lost.state
            self._update(coid, tracked.order.evolve(status=OrderStatus.UNKNOWN, reason=view.reason))
            if self._lost is not None:
                self._lost.lost(coid, self._now(tracked.order))
            return
        self._venue_view(coid, view)

    def _venue_view(self, coid: str, view: Order) -> None:
        """What the venue holds of ``coid`` (an answer, a lookup), as a report. Fills are
        not in a view (they come as fill reports with their trade ids), so a view that has
        filled says the order is working."""
        if view.status in _FILLING:
            view = view.evolve(status=OrderStatus.ACCEPTED)
        report = status_report(view, self._now(view))
        if report is not None:
            self.on_report(report)

    def _escalate(self, coid: str, why: str) -> None:
        """Every lookup failed: the order stays unknown, recorded with why, and no new
        entry in its symbol goes out until a report or a reconciliation settles it."""
        tracked = self._orders[coid]
        self._record(coid, tracked.order.evolve(reason=why))
        if self.gate is not None:
            self.gate.unknown[tracked.order.symbol] = coid
        self._log.error(
            "order unknown",
            client_order_id=coid,
            decision_id=tracked.order.decision_id,
            symbol=tracked.order.symbol,
            why=why,
        )

    def _arm(self, child_id: str, quantity: Decimal) -> None:
        """A bracket child starts working for the entry's filled ``quantity`` (the venue
        arms it with the entry's fill; it is the venue's rule, mirrored, not a report)."""
        held = self._orders[child_id]
        if not held.is_open:
            return
        held.state = replace(held.state, quantity=quantity, status=OrderStatus.ACCEPTED)
        armed = held.order.evolve(status=OrderStatus.ACCEPTED, quantity=quantity, notional=None)
        self._update(child_id, armed)

    def _refuse(self, report: ExecutionReport, why: str, *, quiet: bool = False) -> None:
        self.refused.append((report, why))
        (self._log.debug if quiet else self._log.warning)(
            "execution report refused",
            client_order_id=report.client_order_id,
            decision_id=self._decision_of(report.client_order_id),
            kind=str(report.kind),
            why=why,
        )

    def _closes(self, order: Order) -> bool:
        held = self.holding(order.symbol) if self.holding is not None else Decimal(0)
        return (order.side is OrderSide.SELL and held > 0) or (
            order.side is OrderSide.BUY and held < 0
        )

    def _now(self, order: Order) -> datetime:
        return self._clock.now() if self._clock is not None else order.created_at

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
        book = self._open if tracked.parent is None else self._protective
        if order.status in FINAL_STATUSES:  # (TrackedOrder.is_open, is_protective: inlined)
            book.pop(coid, None)
        else:
            book[coid] = tracked
        if not durable:
            self._store.record_order(self._run_id, order)
        self._bus.publish(ORDERS, order)


_STATUS_OF = {
    ReportKind.SUBMITTED: OrderStatus.SUBMITTED,
    ReportKind.ACCEPTED: OrderStatus.ACCEPTED,
    ReportKind.PARTIALLY_FILLED: OrderStatus.PARTIALLY_FILLED,
    ReportKind.FILLED: OrderStatus.FILLED,
    ReportKind.PENDING_CANCEL: OrderStatus.PENDING_CANCEL,
    ReportKind.CANCEL_REJECTED: OrderStatus.ACCEPTED,
    ReportKind.CANCELLED: OrderStatus.CANCELLED,
    ReportKind.REJECTED: OrderStatus.REJECTED,
    ReportKind.EXPIRED: OrderStatus.EXPIRED,
}
"""The status each report kind says (to tell an echo of a known state from a fault)."""
