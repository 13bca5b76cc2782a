"""Reconciliation, pure: what our book must apply to agree with the venue, and what it cannot.

A live session starts (cold, or after a crash) with the book the store recorded and a venue
that went on without it. :func:`reconcile` compares the two views and says, as values:

- the execution reports that bring our book up to date, in the order to apply them — the
  venue's working status of an order we lost track of (``UNKNOWN``, ``NEW`` after a crash
  between recording and sending), the fills we missed (by trade id: one applied before is
  never applied again), then final statuses (cancelled, expired, rejected at the venue).
  Each is run through the order state machine (:func:`~tradebot.domain.order_state.apply`)
  first, so only a report the order manager will accept is listed, and reconciling a
  second time lists nothing;
- our orders that never reached the venue (it does not know the client id, does not list
  it open, reports no fill of it): closed here as rejected "never reached the venue".
  **Nothing is ever resubmitted**: the decision that made the order is in the past, and
  the strategy decides afresh on the next bar;
- external orders (open at the venue under a client id we did not record) and external
  positions (the venue's quantity minus ours after the reports, per symbol);
- the cash difference (the venue's cash minus ours after the missed fills);
- one line per difference, and which of them are unexplained.

The ``external`` policy says what an external position or order means. ``adopt``: the
position is taken into the book at the venue's average price (an :class:`Adoption`,
marked external) and an external order is left alone, recorded; a cash difference that
the adopted positions' cost explains is taken over too (the account bought them while we
were away). ``halt``: any external order or position halts trading until a person looks.
An unexplained difference — a position that still differs, cash beyond the tolerance, an
order closed here but open at the venue, an order of ours the venue says filled whose
fills do not add up, an unrecorded ``tb-`` order — is never ``ok``, whatever the policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.errors import ConfigError
from tradebot.domain.execution import ExecutionReport, status_report
from tradebot.domain.messages import Order
from tradebot.domain.order_state import FINAL_STATUSES, Applied, OrderState, apply

__all__ = [
    "NEVER_REACHED",
    "OUR_PREFIX",
    "Adoption",
    "ExternalPolicy",
    "OurBook",
    "Reconciliation",
    "VenueBook",
    "check_policy",
    "reconcile",
]

ExternalPolicy = Literal["adopt", "halt"]
NEVER_REACHED = "never reached the venue (reconciliation): closed here, not resubmitted"
OUR_PREFIX = "tb-"
"""Client ids tradebot makes (:func:`tradebot.engine.ids.client_order_id`)."""
_ZERO = Decimal(0)
_FILLING = frozenset({OrderStatus.PARTIALLY_FILLED, OrderStatus.FILLED})


def check_policy(policy: str) -> ExternalPolicy:
    """``policy`` if it is one; a :class:`ConfigError` line otherwise."""
    if policy == "adopt":
        return "adopt"
    if policy == "halt":
        return "halt"
    raise ConfigError(f"unknown reconciliation policy {policy!r}", "use adopt or halt")


@dataclass(frozen=True, slots=True)
class OurBook:
    """The book as we know it."""

    orders: Mapping[str, OrderState]
    """Our orders that matter, by client id: every non-final one (their lookups are
    asked for), and any final one the venue names (a fill, an open order)."""
    fill_ids: frozenset[str]
    """Trade ids already applied to the ledger."""
    positions: Mapping[str, Decimal]
    """Signed quantity held per symbol."""
    cash: Decimal
    last_fill_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class VenueBook:
    """The venue's view, as its :class:`~tradebot.ports.ReconcilingBroker` answered."""

    lookups: Mapping[str, Order | None]
    """Each of our non-final orders looked up by client id (``None``: unknown there)."""
    open_orders: Sequence[Order]
    positions: Mapping[str, Decimal]
    account: Mapping[str, Decimal]
    fills: Sequence[ExecutionReport]
    """Its fills since our last fill time, oldest first."""
    average_prices: Mapping[str, Decimal] = field(default_factory=dict)
    """Average entry price per held symbol, where the venue says."""


@dataclass(frozen=True, slots=True)
class Adoption:
    """An external position taken into the book: the risk engine may manage or ignore it."""

    symbol: str
    quantity: Decimal
    """Signed: negative for a short."""
    avg_price: Decimal
    external: bool = True

    @property
    def cost(self) -> Decimal:
        return self.quantity * self.avg_price


@dataclass(frozen=True, slots=True)
class Reconciliation:
    ts: datetime
    policy: ExternalPolicy
    reports: tuple[ExecutionReport, ...] = ()
    """To apply, in order, through the order manager."""
    never_reached: tuple[str, ...] = ()
    external_orders: tuple[Order, ...] = ()
    external_positions: Mapping[str, Decimal] = field(default_factory=dict)
    adoptions: tuple[Adoption, ...] = ()
    cash_difference: Decimal = _ZERO
    """The venue's cash minus ours after the missed fills."""
    cash_adjustment: Decimal = _ZERO
    """What the book's cash takes over (an adoption's cost); zero otherwise."""
    differences: tuple[str, ...] = ()
    """Every difference found, one line each (explained or not)."""
    unexplained: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.unexplained

    @property
    def applied(self) -> int:
        return len(self.reports)

    def halt_reason(self) -> str:
        """One line: why trading stays halted (empty when ``ok``)."""
        if not self.unexplained:
            return ""
        more = len(self.unexplained) - 1
        return f"reconciliation: {self.unexplained[0]}" + (f" (and {more} more)" if more else "")


def reconcile(
    book: OurBook,
    venue: VenueBook,
    now: datetime,
    *,
    policy: ExternalPolicy = "halt",
    cash_tolerance: Decimal = Decimal("0.01"),
) -> Reconciliation:
    """Compare ``book`` with ``venue`` at ``now`` (see the module docstring)."""
    lines: list[str] = []
    unexplained: list[str] = []
    states = dict(book.orders)
    open_at_venue = {o.client_order_id: o for o in venue.open_orders}
    views = _views(book, venue, open_at_venue)
    working, finals, never = _status_reports(states, views, venue, now)
    fills = _new_fills(book, venue, states)
    reports: list[ExecutionReport] = []
    for report in (*working, *fills, *finals):  # per order: working, its fills, its end
        state = states.get(report.client_order_id)
        if state is None:
            continue
        outcome = apply(state, report)
        if isinstance(outcome, Applied):
            states[report.client_order_id] = outcome.state
            reports.append(report)
    applied_fills = [r for r in reports if r.is_fill]
    if applied_fills:
        lines.append(f"{len(applied_fills)} fill(s) missed while away, applied")
    closed = [c for c in never if any(r.client_order_id == c for r in reports)]
    for coid in closed:
        lines.append(f"order {coid} never reached the venue: closed here, not resubmitted")
    for coid, view in views.items():
        state = states[coid]
        if view is not None and view.status is OrderStatus.FILLED and not state.is_final:
            unexplained.append(
                f"the venue says {coid} filled, its fills make {state.filled} of {state.quantity}"
            )
        if view is None and coid not in closed and not state.is_final:
            unexplained.append(f"order {coid} is unknown at the venue and could not be closed")
    external = _external_orders(states, open_at_venue, unexplained)
    positions = _after(book.positions, applied_fills, states)
    outside = {
        s: q
        for s in sorted(set(positions) | set(venue.positions))
        if (q := venue.positions.get(s, _ZERO) - positions.get(s, _ZERO)) != _ZERO
    }
    adoptions = _judge_external(policy, external, outside, positions, venue, lines, unexplained)
    cash_diff, adjustment = _judge_cash(
        book.cash + _cash_moved(applied_fills, states),
        venue.account.get("cash"),
        adoptions,
        cash_tolerance,
        lines,
        unexplained,
    )
    return Reconciliation(
        ts=now,
        policy=policy,
        reports=tuple(reports),
        never_reached=tuple(closed),
        external_orders=tuple(external),
        external_positions=outside,
        adoptions=tuple(adoptions),
        cash_difference=cash_diff,
        cash_adjustment=adjustment,
        differences=(*lines, *unexplained),
        unexplained=tuple(unexplained),
    )


def _views(
    book: OurBook, venue: VenueBook, open_at_venue: Mapping[str, Order]
) -> dict[str, Order | None]:
    """The venue's view of each of our non-final orders: its lookup, else its open-order
    listing (a lookup that lags the listing)."""
    views: dict[str, Order | None] = {}
    for coid, state in book.orders.items():
        if state.is_final:
            continue
        found = venue.lookups.get(coid)
        views[coid] = found if found is not None else open_at_venue.get(coid)
    return views


def _status_reports(
    states: Mapping[str, OrderState],
    views: Mapping[str, Order | None],
    venue: VenueBook,
    now: datetime,
) -> tuple[list[ExecutionReport], list[ExecutionReport], list[str]]:
    """(working-status reports, final-status reports, client ids never at the venue)."""
    filled_somewhere = {r.client_order_id for r in venue.fills}
    working: list[ExecutionReport] = []
    finals: list[ExecutionReport] = []
    never: list[str] = []
    for coid, view in views.items():
        if view is None:
            if coid not in filled_somewhere:
                never.append(coid)
                finals.append(_never_reached(states[coid], now))
            continue
        said = view.evolve(status=OrderStatus.ACCEPTED) if view.status in _FILLING else view
        report = status_report(said, now)
        if report is None:
            continue
        (finals if said.status in FINAL_STATUSES else working).append(report)
    return working, finals, never


def _never_reached(state: OrderState, now: datetime) -> ExecutionReport:
    return ExecutionReport(
        kind=ReportKind.REJECTED,
        client_order_id=state.client_order_id,
        ts=now,
        reason=NEVER_REACHED,
        symbol=state.symbol,
        side=state.side,
    )


def _new_fills(
    book: OurBook, venue: VenueBook, states: Mapping[str, OrderState]
) -> list[ExecutionReport]:
    """The venue's fills of our orders not applied yet, once each, oldest first."""
    seen = set(book.fill_ids)
    fresh = []
    for report in venue.fills:
        trade = report.trade_id
        if not report.is_fill or trade is None or trade in seen:
            continue
        seen.add(trade)
        if report.client_order_id in states:
            fresh.append(report)
    return sorted(fresh, key=lambda r: r.ts)  # stable: the venue's order within one instant


def _external_orders(
    states: Mapping[str, OrderState], open_at_venue: Mapping[str, Order], unexplained: list[str]
) -> list[Order]:
    external = []
    for coid, order in open_at_venue.items():
        state = states.get(coid)
        if state is not None:
            if state.is_final:
                unexplained.append(f"order {coid} is {state.status} here but open at the venue")
        elif coid.startswith(OUR_PREFIX):
            unexplained.append(f"open order {coid} looks like ours but this run never recorded it")
        else:
            external.append(order)
    return external


def _signed(side: OrderSide, quantity: Decimal) -> Decimal:
    return quantity if side is OrderSide.BUY else -quantity


def _after(
    positions: Mapping[str, Decimal],
    fills: Sequence[ExecutionReport],
    states: Mapping[str, OrderState],
) -> dict[str, Decimal]:
    """Our positions once ``fills`` are applied (each on its order's symbol and side)."""
    after = dict(positions)
    for report in fills:
        state = states[report.client_order_id]
        assert report.quantity is not None
        after[state.symbol] = after.get(state.symbol, _ZERO) + _signed(state.side, report.quantity)
    return after


def _cash_moved(fills: Sequence[ExecutionReport], states: Mapping[str, OrderState]) -> Decimal:
    moved = _ZERO
    for report in fills:
        assert report.quantity is not None
        assert report.price is not None
        side = states[report.client_order_id].side
        moved -= _signed(side, report.quantity) * report.price + report.commission
    return moved


def _judge_external(
    policy: ExternalPolicy,
    external: Sequence[Order],
    outside: Mapping[str, Decimal],
    ours: Mapping[str, Decimal],
    venue: VenueBook,
    lines: list[str],
    unexplained: list[str],
) -> list[Adoption]:
    """Apply the policy to external orders and positions; the adoptions it makes."""
    halt = policy == "halt"
    for order in external:
        line = f"external order {order.client_order_id} ({order.side} {order.symbol}) is open"
        (unexplained if halt else lines).append(line + ("" if halt else ": left alone"))
    adoptions = []
    for symbol, quantity in outside.items():
        line = f"external position {symbol} {quantity:+}"
        price = venue.average_prices.get(symbol)
        if halt:
            unexplained.append(f"{line}: held at the venue, not in the book")
        elif price is None or not price > _ZERO:
            unexplained.append(f"{line}: cannot adopt, the venue gives no average price")
        elif ours.get(symbol, _ZERO) * quantity < _ZERO:
            unexplained.append(f"{line}: cannot adopt against the book's {ours[symbol]:+}")
        else:
            adoptions.append(Adoption(symbol, quantity, price))
            lines.append(f"{line} adopted at {price}")
    return adoptions


def _judge_cash(
    ours: Decimal,
    theirs: Decimal | None,
    adoptions: Sequence[Adoption],
    tolerance: Decimal,
    lines: list[str],
    unexplained: list[str],
) -> tuple[Decimal, Decimal]:
    """(the cash difference, the part the book takes over)."""
    if theirs is None:
        unexplained.append("the venue's account gives no cash")
        return _ZERO, _ZERO
    diff = theirs - ours
    if abs(diff) <= tolerance:
        return diff, _ZERO
    cost = sum((a.cost for a in adoptions), _ZERO)
    if adoptions and abs(diff + cost) <= tolerance:
        lines.append(f"cash {diff:+} at the venue: the adopted positions' cost, taken over")
        return diff, diff
    unexplained.append(
        f"cash differs: venue {theirs}, book {ours} (after missed fills), by {diff:+} "
        f"beyond the tolerance {tolerance}"
    )
    return diff, _ZERO
