"""The reconciler: asks the venue for its whole book, applies what we missed, halts on the rest.

Runs on the kernel's thread before a live session trades (cold start and crash restart
alike: restore, possibly nothing, then reconcile), and again whenever the runtime wants
(after a long disconnect). It:

1. gathers the venue's view — each of our non-final orders looked up by client id, its open
   orders, positions, account and fills since our last fill — every call bounded by
   ``timeout_s``; a venue that does not answer leaves the session *not reconciled*:
   halted, with one line;
2. compares it with the book (:func:`~tradebot.engine.reconcile.reconcile`, pure);
3. applies the reports through ``orders.on_report``, so a missed fill reaches the ledger by
   the normal path (recorded, published on ``fills``, applied by the portfolio stage,
   which must be subscribed: it is inside a kernel); adopts external positions under the
   ``adopt`` policy;
4. checks the ledger against the venue once more (what the reports were meant to do, done),
   records the outcome (``reconciliations``: the store's
   :class:`ReconciliationLog`, where it is one) and logs one line per difference;
5. when anything is unexplained, halts new orders (``gate.halted``, a :class:`Hold` of kind
   ``reconcile``: the status shows it as a reconciliation halt, ``resume`` lifts it). A
   later reconciliation that agrees lifts its own halt, never an operator's kill.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar, runtime_checkable

from tradebot.domain.enums import Direction
from tradebot.domain.errors import BrokerError
from tradebot.domain.messages import Order
from tradebot.domain.order_state import OrderState
from tradebot.domain.position import Position
from tradebot.engine.operator_gate import Hold, OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.reconcile import (
    Adoption,
    ExternalPolicy,
    OurBook,
    Reconciliation,
    VenueBook,
    check_policy,
    reconcile,
)
from tradebot.ops.logging import get_logger
from tradebot.ports import COMMAND_TIMEOUT_S, Clock, ReconcilingBroker, Store

__all__ = ["RECONCILE_HOLD", "PositionPrices", "Reconciler", "ReconciliationLog"]

RECONCILE_HOLD = "reconcile"
"""The :attr:`Hold.kind` of a reconciliation halt."""
_ZERO = Decimal(0)
_PLACES = Decimal("1e-8")  # the ledger's average prices
_T = TypeVar("_T")


@runtime_checkable
class ReconciliationLog(Protocol):
    """A store that keeps each reconciliation's outcome (the SQL store, the memory fake)."""

    def record_reconciliation(
        self,
        run_id: str,
        ts: datetime,
        *,
        ok: bool,
        applied: int,
        external_orders: Sequence[Mapping[str, Any]],
        external_positions: Mapping[str, Any],
        differences: Sequence[str],
    ) -> None: ...


@runtime_checkable
class PositionPrices(Protocol):
    """A venue that says the average entry price of what it holds (for an adoption)."""

    def average_prices(self) -> Mapping[str, Decimal]: ...


class VenueSilentError(BrokerError):
    """The venue did not answer one of the reconciliation's questions in time."""


class Reconciler:
    def __init__(
        self,
        run_id: str,
        broker: ReconcilingBroker,
        orders: OrderManager,
        portfolio: Portfolio,
        store: Store,
        gate: OperatorGate,
        clock: Clock,
        policy: str = "halt",
        cash_tolerance: Decimal = Decimal("0.01"),
        *,
        timeout_s: float = COMMAND_TIMEOUT_S,
    ) -> None:
        self._run_id = run_id
        self._broker = broker
        self._orders = orders
        self._portfolio = portfolio
        self._store = store
        self._gate = gate
        self._clock = clock
        self.policy: ExternalPolicy = check_policy(policy)
        self._tolerance = cash_tolerance
        self._timeout = timeout_s
        self._log = get_logger("reconciler")

    def run(self, last_fill_at: datetime | None = None) -> Reconciliation:
        """Reconcile now; ``last_fill_at``: the time of the last fill the book holds (the
        restored book's), from which the venue's fills are asked (or from the oldest open
        order, if earlier: a fill of it may predate a later order's)."""
        now = self._clock.now()
        try:
            venue = self._venue_view(last_fill_at)
        except BrokerError as exc:
            line = f"the venue did not answer: {exc.one_line()}"
            outcome = Reconciliation(
                ts=now, policy=self.policy, differences=(line,), unexplained=(line,)
            )
            return self._conclude(outcome)
        book = self._book(venue, last_fill_at)
        outcome = reconcile(book, venue, now, policy=self.policy, cash_tolerance=self._tolerance)
        for report in outcome.reports:
            self._orders.on_report(report)
        for adoption in outcome.adoptions:
            _adopt(self._portfolio, adoption, now)
        self._portfolio.cash += outcome.cash_adjustment
        return self._conclude(self._verified(outcome, venue))

    # --- gathering ----------------------------------------------------------------------
    def _venue_view(self, last_fill_at: datetime | None) -> VenueBook:
        broker, ask = self._broker, self._ask
        ours = [*self._orders.open_orders(), *self._orders.protective_orders()]
        lookups = {o.client_order_id: ask(broker.lookup, o.client_order_id) for o in ours}
        since = min(
            (t for t in (last_fill_at, *(o.created_at for o in ours)) if t is not None),
            default=None,
        )
        prices = broker if isinstance(broker, PositionPrices) else None
        return VenueBook(
            lookups=lookups,
            open_orders=tuple(ask(broker.open_orders)),
            positions=dict(ask(broker.positions)),
            account=dict(ask(broker.account)),
            fills=() if since is None else tuple(ask(broker.fills_since, since)),
            average_prices={} if prices is None else dict(ask(prices.average_prices)),
        )

    def _ask(self, call: Callable[..., _T], *args: Any) -> _T:
        """``call(*args)`` on a daemon thread, waited for ``timeout_s`` at most: a venue
        that hangs cannot hold the kernel (the thread is left to finish on its own)."""
        box: list[Any] = []

        def target() -> None:
            try:
                box.append((True, call(*args)))
            except BaseException as exc:  # handed back to the caller's thread
                box.append((False, exc))

        name = getattr(call, "__name__", "call")
        worker = threading.Thread(target=target, name=f"reconcile-{name}", daemon=True)
        worker.start()
        worker.join(self._timeout)
        if not box:
            raise VenueSilentError(f"{name} got no answer in {self._timeout:g} s", "")
        done, value = box[0]
        if not done:
            raise value
        result: _T = value
        return result

    def _book(self, venue: VenueBook, last_fill_at: datetime | None) -> OurBook:
        """Our non-final orders, and every order of ours the venue names, with what their
        reports say so far."""
        orders = self._orders
        named: dict[str, OrderState] = {}
        wanted = [
            *venue.lookups,
            *(r.client_order_id for r in venue.fills),
            *(o.client_order_id for o in venue.open_orders),
        ]
        for coid in wanted:
            tracked = orders.tracked(coid)
            if tracked is not None and coid not in named:
                named[coid] = tracked.state
        applied = frozenset(t for state in named.values() for t in state.trade_ids)
        held = {s: p.signed_quantity for s, p in self._portfolio.positions.items()}
        return OurBook(named, applied, held, self._portfolio.cash, last_fill_at)

    # --- concluding ---------------------------------------------------------------------
    def _verified(self, outcome: Reconciliation, venue: VenueBook) -> Reconciliation:
        """The ledger once the reports are applied: any symbol it still holds differently
        from the venue is unexplained (a fill that did not reach the ledger)."""
        portfolio = self._portfolio
        adopted = {a.symbol for a in outcome.adoptions}
        left = []
        for symbol in sorted(set(venue.positions) | set(portfolio.positions)):
            ours = portfolio.held_quantity(symbol)
            theirs = venue.positions.get(symbol, _ZERO)
            if ours != theirs and (symbol in adopted or symbol not in outcome.external_positions):
                left.append(f"{symbol}: book {ours}, venue {theirs} after reconciling")
        if not left:
            return outcome
        return replace(
            outcome,
            differences=(*outcome.differences, *left),
            unexplained=(*outcome.unexplained, *left),
        )

    def _conclude(self, outcome: Reconciliation) -> Reconciliation:
        self._record(outcome)
        log = self._log
        for line in outcome.differences:
            unexplained = line in outcome.unexplained
            (log.error if unexplained else log.info)("reconciliation", difference=line)
        gate = self._gate
        if not outcome.ok:
            if gate.halted is None:
                stamp = outcome.ts.strftime("%Y%m%dT%H%M%S%fZ")
                gate.halted = Hold(f"reconcile-{stamp}", RECONCILE_HOLD, "reconciler", outcome.ts)
            log.error("not reconciled: trading halted", reason=outcome.halt_reason())
        elif gate.halted is not None and gate.halted.kind == RECONCILE_HOLD:
            gate.halted = None  # its own halt, lifted by a reconciliation that agrees
        log.info(
            "reconciled" if outcome.ok else "reconciliation failed",
            applied=outcome.applied,
            never_reached=len(outcome.never_reached),
            external_orders=len(outcome.external_orders),
            external_positions=len(outcome.external_positions),
        )
        return outcome

    def _record(self, outcome: Reconciliation) -> None:
        store = self._store
        if not isinstance(store, ReconciliationLog):
            return
        adopted = {a.symbol: a for a in outcome.adoptions}
        positions = {
            symbol: {
                "quantity": str(quantity),
                "adopted": symbol in adopted,
                "avg_price": str(adopted[symbol].avg_price) if symbol in adopted else None,
            }
            for symbol, quantity in outcome.external_positions.items()
        }
        store.record_reconciliation(
            self._run_id,
            outcome.ts,
            ok=outcome.ok,
            applied=outcome.applied,
            external_orders=[_order_doc(o) for o in outcome.external_orders],
            external_positions=positions,
            differences=list(outcome.differences),
        )


def _order_doc(order: Order) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "client_order_id": order.client_order_id,
        "broker_order_id": order.broker_order_id,
        "symbol": order.symbol,
        "side": order.side.value,
        "type": order.type.value,
        "quantity": text(order.quantity),
        "notional": text(order.notional),
        "limit_price": text(order.limit_price),
        "stop_price": text(order.stop_price),
        "status": order.status.value,
    }


def _adopt(portfolio: Portfolio, adoption: Adoption, ts: datetime) -> None:
    """Take an external position into the ledger at the venue's average price, marked
    ``external`` (its strategy), adding to one of ours on the same side. The ledger has no
    method for it yet (a fill needs an order of ours), so the position is written here."""
    symbol, signed, price = adoption.symbol, adoption.quantity, adoption.avg_price
    quantity, long = abs(signed), signed > 0
    notional = quantity * price
    held = portfolio.positions.get(symbol)
    if held is None:
        portfolio.positions[symbol] = Position(
            symbol=symbol,
            quantity=quantity,
            avg_price=price,
            opened_at=ts,
            entry_decision_id="external",
            strategies=("external",),
            last_price=price,
            bought_quantity=quantity if long else _ZERO,
            bought_notional=notional if long else _ZERO,
            sold_quantity=_ZERO if long else quantity,
            sold_notional=_ZERO if long else notional,
            side=Direction.LONG if long else Direction.SHORT,
            borrow_since=None if long else ts,
        )
    else:  # same side (reconcile refuses to adopt against a position of ours)
        held.quantity += quantity
        if long:
            held.bought_quantity += quantity
            held.bought_notional += notional
            held.avg_price = (held.bought_notional / held.bought_quantity).quantize(_PLACES)
        else:
            held.sold_quantity += quantity
            held.sold_notional += notional
            held.avg_price = (held.sold_notional / held.sold_quantity).quantize(_PLACES)
        held.strategies = (*held.strategies, "external")
    portfolio.changed()
