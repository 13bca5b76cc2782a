"""Reconciliation, pure: the reports that bring the book up to date, never a resubmit, and
every difference it cannot explain."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.errors import ConfigError
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Order
from tradebot.domain.order_state import Applied, OrderState, apply
from tradebot.engine.reconcile import (
    NEVER_REACHED,
    OurBook,
    Reconciliation,
    VenueBook,
    check_policy,
    reconcile,
)

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
CASH = Decimal(100_000)


def order(coid: str, side: OrderSide = OrderSide.BUY, qty: str = "10", sym: str = "AAA") -> Order:
    return Order(
        client_order_id=coid,
        decision_id="dec-" + coid,
        symbol=sym,
        side=side,
        quantity=Decimal(qty),
        created_at=T0,
    )


def fill(coid: str, n: int, qty: str, price: str = "10", minute: int = 1) -> ExecutionReport:
    return ExecutionReport(
        kind=ReportKind.PARTIALLY_FILLED,
        client_order_id=coid,
        ts=T0 + timedelta(minutes=minute),
        trade_id=f"{coid}-{n}",
        quantity=Decimal(qty),
        price=Decimal(price),
    )


def state(o: Order, status: OrderStatus = OrderStatus.ACCEPTED) -> OrderState:
    return dataclasses.replace(OrderState.for_order(o), status=status)


def venue(**changes: object) -> VenueBook:
    base = VenueBook(lookups={}, open_orders=(), positions={}, account={"cash": CASH}, fills=())
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def book(**changes: object) -> OurBook:
    base = OurBook(orders={}, fill_ids=frozenset(), positions={}, cash=CASH)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_an_order_that_never_reached_the_venue_is_closed_never_resubmitted() -> None:
    lost = order("tb-aaa")
    result = reconcile(
        book(orders={"tb-aaa": state(lost, OrderStatus.NEW)}), venue(lookups={"tb-aaa": None}), NOW
    )
    assert result.ok
    assert result.never_reached == ("tb-aaa",)
    [report] = result.reports
    assert (report.kind, report.reason) == (ReportKind.REJECTED, NEVER_REACHED)
    assert not any("resubmit" in f.name for f in dataclasses.fields(Reconciliation))


def test_an_order_the_venue_accepted_takes_its_status_and_its_missed_fills() -> None:
    sent = order("tb-bbb")
    at_venue = sent.evolve(status=OrderStatus.FILLED, broker_order_id="v-1")
    fills = (fill("tb-bbb", 1, "4"), fill("tb-bbb", 2, "6", minute=2))
    result = reconcile(
        book(orders={"tb-bbb": state(sent, OrderStatus.UNKNOWN)}),
        venue(
            lookups={"tb-bbb": at_venue},
            fills=fills,
            positions={"AAA": Decimal(10)},
            account={"cash": CASH - 100},
        ),
        NOW,
    )
    assert result.ok, result.unexplained
    assert [r.kind for r in result.reports] == [
        ReportKind.ACCEPTED,
        ReportKind.PARTIALLY_FILLED,
        ReportKind.PARTIALLY_FILLED,
    ]
    assert result.external_positions == {}


def test_the_venue_saying_filled_without_the_fills_is_unexplained() -> None:
    sent = order("tb-ccc")
    result = reconcile(
        book(orders={"tb-ccc": state(sent)}),
        venue(lookups={"tb-ccc": sent.evolve(status=OrderStatus.FILLED)}),
        NOW,
    )
    assert not result.ok
    assert "filled" in result.unexplained[0]


def test_external_orders_and_positions_by_policy() -> None:
    manual = order("manual-1", sym="ZZZ")
    view = venue(
        open_orders=(manual,),
        positions={"ZZZ": Decimal(5)},
        average_prices={"ZZZ": Decimal("20")},
        account={"cash": CASH - 100},
    )
    halted = reconcile(book(), view, NOW, policy="halt")
    assert not halted.ok
    assert halted.external_orders == (manual,)
    assert halted.external_positions == {"ZZZ": Decimal(5)}
    assert halted.halt_reason().startswith("reconciliation: external order manual-1")
    adopted = reconcile(book(), view, NOW, policy="adopt")
    assert adopted.ok, adopted.unexplained
    [taken] = adopted.adoptions
    assert (taken.symbol, taken.quantity, taken.avg_price, taken.external) == (
        "ZZZ",
        Decimal(5),
        Decimal(20),
        True,
    )
    assert adopted.cash_adjustment == Decimal(-100)  # the account paid for it while away


def test_an_adoption_needs_the_venues_price_and_cash_must_agree() -> None:
    no_price = reconcile(book(), venue(positions={"ZZZ": Decimal(5)}), NOW, policy="adopt")
    assert not no_price.ok
    assert "no average price" in no_price.unexplained[0]
    cash = reconcile(book(), venue(account={"cash": CASH + Decimal("0.02")}), NOW)
    assert not cash.ok
    assert "cash differs" in cash.unexplained[0]
    within = reconcile(book(), venue(account={"cash": CASH + Decimal("0.01")}), NOW)
    assert within.ok


def test_an_unrecorded_tb_order_and_an_order_closed_here_but_open_there_are_unexplained() -> None:
    ours = order("tb-ddd")
    other_run = order("tb-eee")
    result = reconcile(
        book(orders={"tb-ddd": state(ours, OrderStatus.CANCELLED)}),
        venue(open_orders=(ours.evolve(status=OrderStatus.ACCEPTED), other_run)),
        NOW,
        policy="adopt",
    )
    assert len(result.unexplained) == 2
    assert result.external_orders == ()


def test_a_policy_is_adopt_or_halt() -> None:
    assert check_policy("adopt") == "adopt"
    with pytest.raises(ConfigError, match="unknown reconciliation policy") as caught:
        check_policy("ignore")
    assert caught.value.hint == "use adopt or halt"


# --- properties -------------------------------------------------------------------------

SIDES = st.sampled_from([OrderSide.BUY, OrderSide.SELL])
ORDERS = st.lists(
    st.tuples(
        SIDES,
        st.sampled_from(["AAA", "BBB"]),
        st.lists(st.integers(1, 50), min_size=1, max_size=4),  # each fill's quantity
        st.integers(0, 4),  # how many of the fills the book applied already
        st.booleans(),  # reached the venue at all
    ),
    max_size=8,
)


def _cash(report: ExecutionReport, side: OrderSide) -> Decimal:
    assert report.quantity is not None
    assert report.price is not None
    signed = report.quantity if side is OrderSide.BUY else -report.quantity
    return -signed * report.price - report.commission


def _world(spec: list[tuple[OrderSide, str, list[int], int, bool]]) -> tuple[OurBook, VenueBook]:
    states: dict[str, OrderState] = {}
    lookups: dict[str, Order | None] = {}
    venue_fills: list[ExecutionReport] = []
    ours: dict[str, Decimal] = {}
    theirs: dict[str, Decimal] = {}
    applied: set[str] = set()
    cash = venue_cash = CASH
    for k, (side, symbol, sizes, done, reached) in enumerate(spec):
        coid = f"tb-{k:04d}"
        o = order(coid, side, str(sum(sizes)), symbol)
        st_ = OrderState.for_order(o)
        if not reached:
            states[coid], lookups[coid] = st_, None
            continue
        for n, size in enumerate(sizes):
            report = fill(coid, n, str(size), price=str(10 + n), minute=k * 5 + n)
            venue_fills.append(report)
            signed = Decimal(size) if side is OrderSide.BUY else -Decimal(size)
            theirs[symbol] = theirs.get(symbol, Decimal(0)) + signed
            venue_cash += _cash(report, side)
            if n < done:
                outcome = apply(st_, report)
                assert isinstance(outcome, Applied)
                st_ = outcome.state
                applied.add(report.trade_id or "")
                ours[symbol] = ours.get(symbol, Decimal(0)) + signed
                cash += _cash(report, side)
        states[coid] = st_
        lookups[coid] = o.evolve(status=OrderStatus.FILLED)
    live = {c: s for c, s in states.items() if not s.is_final}
    ours_book = OurBook(
        {**states}, frozenset(applied), {s: q for s, q in ours.items() if q}, cash, None
    )
    their_book = VenueBook(
        lookups={c: lookups[c] for c in live},
        open_orders=(),
        positions={s: q for s, q in theirs.items() if q},
        account={"cash": venue_cash},
        fills=tuple(venue_fills),
    )
    return ours_book, their_book


def _applied(ours: OurBook, result: Reconciliation) -> OurBook:
    """``ours`` once the reconciliation's reports are applied (as the order manager and the
    ledger would)."""
    states = dict(ours.orders)
    positions = dict(ours.positions)
    cash, fills = ours.cash, set(ours.fill_ids)
    for report in result.reports:
        outcome = apply(states[report.client_order_id], report)
        assert isinstance(outcome, Applied)
        now = states[report.client_order_id] = outcome.state
        if report.is_fill:
            assert report.quantity is not None
            signed = report.quantity if now.side is OrderSide.BUY else -report.quantity
            positions[now.symbol] = positions.get(now.symbol, Decimal(0)) + signed
            cash += _cash(report, now.side)
            fills.add(report.trade_id or "")
    held = {s: q for s, q in positions.items() if q}
    return OurBook(states, frozenset(fills), held, cash, ours.last_fill_at)


@settings(max_examples=60, deadline=None)
@given(ORDERS)
def test_applying_the_reports_leaves_no_difference_the_fills_explain(spec: list) -> None:  # type: ignore[type-arg]
    ours, theirs = _world(spec)
    result = reconcile(ours, theirs, NOW)
    assert result.ok, result.unexplained
    assert result.external_positions == {}
    after = _applied(ours, result)
    assert after.positions == theirs.positions
    assert after.cash == theirs.account["cash"]


@settings(max_examples=60, deadline=None)
@given(ORDERS)
def test_reconciling_twice_applies_nothing_the_second_time(spec: list) -> None:  # type: ignore[type-arg]
    ours, theirs = _world(spec)
    first = reconcile(ours, theirs, NOW)
    after = _applied(ours, first)
    live = {c for c, s in after.orders.items() if not s.is_final}
    again = reconcile(
        after, dataclasses.replace(theirs, lookups={c: theirs.lookups[c] for c in live}), NOW
    )
    assert again.reports == ()
    assert again.ok


@settings(max_examples=60, deadline=None)
@given(ORDERS)
def test_an_order_is_closed_or_caught_up_never_sent_again(spec: list) -> None:  # type: ignore[type-arg]
    ours, theirs = _world(spec)
    result = reconcile(ours, theirs, NOW)
    for coid in result.never_reached:
        mine = [r for r in result.reports if r.client_order_id == coid]
        assert [(r.kind, r.reason) for r in mine] == [(ReportKind.REJECTED, NEVER_REACHED)]
    reached = {c for c, v in theirs.lookups.items() if v is not None}
    assert reached.isdisjoint(result.never_reached)
    assert all(r.kind is not ReportKind.SUBMITTED for r in result.reports)
