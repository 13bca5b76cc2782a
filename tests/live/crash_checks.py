"""What a crash trial checks at the end: the run's store against the fake venue's book.

After the last session process stopped cleanly, the venue is the truth: every order it
holds, every execution it made, its positions and cash. The store must account for all of
it, exactly once:

* duplicate orders — venue orders whose client id the store does not know (an order sent
  twice under a new id), plus decisions with more venue orders than the store has legs
  for (client ids are ``tb-<decision>`` or ``tb-<decision>.<leg>``: one decision, one
  venue order per leg);
* lost fills — venue executions with no store fill of the same id (the adapter's trade id
  is the execution id: the stream's ``execution_id``, or the part after ``::`` of a FILL
  activity's id), and store fills recorded more than once or that the venue never made;
* the ledger — per symbol the signed sum of the store's fills equals the venue's position,
  and the initial cash plus the fills' cash flows equals the venue's cash (exact: the fake
  has no fees and both sides use ``Decimal``); the positions the clean stop saved too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.enums import OrderSide, OrderStatus
from tradebot.engine.reconcile import NEVER_REACHED
from tradebot.testing.alpaca import AlpacaVenue

__all__ = ["Audit", "audit"]

_TOLERANCE = Decimal("1e-6")
_CLOSED = (OrderStatus.REJECTED, OrderStatus.CANCELLED, OrderStatus.EXPIRED)
"""What an order the venue never took can end as (refused, or never reached it)."""


@dataclass
class Audit:
    """One run's store beside the venue's book (module docstring)."""

    venue_orders: int = 0
    store_orders: int = 0
    executions: int = 0
    store_fills: int = 0
    unknown_orders: list[str] = field(default_factory=list)
    """Venue client ids the store does not know."""
    crowded_decisions: list[str] = field(default_factory=list)
    """Decisions with more venue orders than recorded legs."""
    status_gaps: list[str] = field(default_factory=list)
    """Orders filled at the venue and not in the store, or the other way round (or whose
    venue order id the store does not have)."""
    lost_fills: list[str] = field(default_factory=list)
    """Venue execution ids with no store fill."""
    repeated_fills: list[str] = field(default_factory=list)
    """Store fill ids recorded more than once."""
    phantom_fills: list[str] = field(default_factory=list)
    """Store fill ids the venue never made."""
    position_gaps: dict[str, tuple[str, str]] = field(default_factory=dict)
    """symbol -> (store's fills, venue's position) where they differ."""
    saved_gaps: dict[str, tuple[str, str]] = field(default_factory=dict)
    """symbol -> (positions saved at the clean stop, venue's position) where they differ."""
    store_cash: Decimal = Decimal(0)
    venue_cash: Decimal = Decimal(0)
    never_reached: int = 0
    """Orders the reconciliation closed "never reached the venue"."""
    reconciliations: int = 0
    checks: list[tuple[datetime, bool, int]] = field(default_factory=list)
    """Each reconciliation: when, whether it agreed, how many reports it applied."""
    not_ok: list[str] = field(default_factory=list)
    """Each reconciliation that did not agree: its time and first difference."""

    @property
    def duplicates(self) -> int:
        return len(self.unknown_orders) + len(self.crowded_decisions)

    @property
    def lost(self) -> int:
        return len(self.lost_fills) + len(self.repeated_fills) + len(self.phantom_fills)

    @property
    def cash_ok(self) -> bool:
        return abs(self.store_cash - self.venue_cash) <= _TOLERANCE

    @property
    def ledger_ok(self) -> bool:
        return (
            not self.position_gaps and not self.saved_gaps and not self.status_gaps and self.cash_ok
        )

    @property
    def clean(self) -> bool:
        return self.duplicates == 0 and self.lost == 0 and self.ledger_ok

    def problems(self) -> list[str]:
        """One line per thing that does not agree (empty when clean)."""
        lines = [f"venue order unknown to the store: {c}" for c in self.unknown_orders]
        lines += [f"decision with extra venue orders: {d}" for d in self.crowded_decisions]
        lines += [f"order state differs: {g}" for g in self.status_gaps]
        lines += [f"venue execution with no store fill: {e}" for e in self.lost_fills]
        lines += [f"store fill recorded twice: {f}" for f in self.repeated_fills]
        lines += [f"store fill the venue never made: {f}" for f in self.phantom_fills]
        lines += [f"{s}: fills {a} vs venue {b}" for s, (a, b) in self.position_gaps.items()]
        lines += [f"{s}: saved {a} vs venue {b}" for s, (a, b) in self.saved_gaps.items()]
        if not self.cash_ok:
            lines.append(f"cash: ledger {self.store_cash} vs venue {self.venue_cash}")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "venue_orders": self.venue_orders,
            "store_orders": self.store_orders,
            "executions": self.executions,
            "store_fills": self.store_fills,
            "duplicates": self.duplicates,
            "lost_fills": self.lost,
            "ledger_equal": self.ledger_ok,
            "never_reached": self.never_reached,
            "reconciliations": self.reconciliations,
            "reconciliations_not_ok": len(self.not_ok),
            "problems": self.problems(),
            "not_ok": self.not_ok,
        }


def _venue_book(venue: AlpacaVenue) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The venue's orders (JSON) and its executions (id, order id), read on its loop."""
    executions = venue.call(lambda: [(e.id, e.order_id) for e in venue.book.executions])
    return venue.orders(), executions


def _signed(side: OrderSide, quantity: Decimal) -> Decimal:
    return quantity if side is OrderSide.BUY else -quantity


def audit(store: SqlStore, run_id: str, venue: AlpacaVenue) -> Audit:
    """Compare run ``run_id`` in ``store`` with ``venue`` (module docstring)."""
    found = Audit()
    venue_orders, executions = _venue_book(venue)
    orders = store.orders(run_id)
    fills = store.fills(run_id)
    record = store.run(run_id)
    assert record is not None, f"no run {run_id} in the store"
    found.venue_orders, found.store_orders = len(venue_orders), len(orders)
    found.executions, found.store_fills = len(executions), len(fills)

    by_client = {o.client_order_id: o for o in orders}
    legs = Counter(o.decision_id for o in orders)
    at_venue: Counter[str] = Counter()
    for order in venue_orders:
        coid = str(order["client_order_id"])
        ours = by_client.get(coid)
        if ours is None:
            found.unknown_orders.append(coid)
            continue
        at_venue[ours.decision_id] += 1
        filled = (order["status"] == "filled", ours.status is OrderStatus.FILLED)
        if filled[0] != filled[1] or ours.broker_order_id not in (None, order["id"]):
            found.status_gaps.append(f"{coid}: venue {order['status']}, store {ours.status}")
    venue_ids = {str(o["client_order_id"]) for o in venue_orders}
    for ours in orders:
        if ours.client_order_id not in venue_ids and ours.status not in _CLOSED:
            found.status_gaps.append(f"{ours.client_order_id}: not at the venue, {ours.status}")
    found.crowded_decisions = sorted(d for d, n in at_venue.items() if n > legs[d])
    found.never_reached = sum(1 for o in orders if o.reason == NEVER_REACHED)

    made = {execution_id for execution_id, _ in executions}
    counted = Counter(f.fill_id for f in fills)
    found.lost_fills = sorted(made - set(counted))
    found.repeated_fills = sorted(f for f, n in counted.items() if n > 1)
    found.phantom_fills = sorted(set(counted) - made)

    held: dict[str, Decimal] = {}
    cash = Decimal(record.info.config["initial_cash"])
    for fill in fills:
        held[fill.symbol] = held.get(fill.symbol, Decimal(0)) + _signed(fill.side, fill.quantity)
        cash -= _signed(fill.side, fill.quantity * fill.price) + fill.commission
    venue_held = venue.positions()
    for symbol in sorted(set(held) | set(venue_held)):
        ours, theirs = held.get(symbol, Decimal(0)), venue_held.get(symbol, Decimal(0))
        if ours != theirs:
            found.position_gaps[symbol] = (str(ours), str(theirs))
    saved = {p.symbol: p.quantity for p in store.positions(run_id) if p.quantity != 0}
    for symbol in sorted(set(saved) | set(venue_held)):
        ours, theirs = saved.get(symbol, Decimal(0)), venue_held.get(symbol, Decimal(0))
        if ours != theirs:
            found.saved_gaps[symbol] = (str(ours), str(theirs))
    found.store_cash, found.venue_cash = cash, venue.cash()

    checks = store.reconciliations(run_id)
    found.reconciliations = len(checks)
    found.checks = [(c.ts, c.ok, c.applied) for c in checks]
    found.not_ok = [
        f"{c.ts.isoformat()}: {c.differences[0] if c.differences else 'not ok'}"
        for c in checks
        if not c.ok
    ]
    return found
