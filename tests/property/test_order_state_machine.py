"""The order state machine under random report sequences (hypothesis, stateful).

Orders sized by quantity or by notional receive random reports — accepted, partial fills
with fresh and redelivered trade ids, full fills, overfills, pending cancels, rejected
cancels, cancels, rejects, expiries, lost submits, reports for other orders, late fills after
a cancel, and any earlier report again (out of order or repeated) — and after every step
the invariants hold: filled ≤ quantity, filled and average price exactly those of the
applied fills, no trade id applied twice, final orders final, a refusal changes nothing,
the status consistent with what has filled, and every real trade that fits is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tradebot.domain import (
    Applied,
    ExecutionReport,
    OrderSide,
    OrderState,
    OrderStatus,
    Refusal,
    Refused,
    ReportKind,
    apply,
    outcome_lost,
)

T0 = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)
S = OrderStatus
K = ReportKind
FILL_KINDS = (K.PARTIALLY_FILLED, K.FILLED)
STATUS_KINDS = tuple(k for k in ReportKind if k not in FILL_KINDS)
RANK = {
    S.NEW: 0,
    S.UNKNOWN: 0,
    S.SUBMITTED: 1,
    S.ACCEPTED: 2,
    S.PARTIALLY_FILLED: 3,
    S.PENDING_CANCEL: 4,
    S.FILLED: 5,
    S.CANCELLED: 5,
    S.REJECTED: 5,
    S.EXPIRED: 5,
}
status_reports = st.sampled_from(
    [K.SUBMITTED, K.ACCEPTED, K.ACCEPTED, K.PENDING_CANCEL, K.PENDING_CANCEL, K.PENDING_CANCEL,
     K.CANCEL_REJECTED, K.CANCEL_REJECTED, K.CANCELLED, K.REJECTED, K.EXPIRED]
)  # fmt: skip
"""Every status report, cancels' comings and goings more often (final ones end the story)."""
NOTHING_FILLED = frozenset({S.NEW, S.SUBMITTED, S.ACCEPTED, S.UNKNOWN, S.REJECTED})

quarters = st.integers(min_value=1, max_value=200).map(lambda n: Decimal(n) / 4)
prices = st.integers(min_value=1, max_value=100_000).map(lambda n: Decimal(n).scaleb(-2))
fees = st.integers(min_value=0, max_value=500).map(lambda n: Decimal(n).scaleb(-3))


@dataclass
class Tracked:
    """One order: its state and, kept apart from the machine, what was applied to it."""

    state: OrderState
    fills: list[ExecutionReport] = field(default_factory=list)
    sent: list[ExecutionReport] = field(default_factory=list)
    last_ts: datetime | None = None
    said_filled: bool = False
    was_final: bool = False


class OrderReports(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.book: dict[str, Tracked] = {}
        self.step = 0
        self.trades = 0

    # --- making reports -------------------------------------------------------------------
    def _ts(self, skew: int) -> datetime:
        self.step += 1
        return T0 + timedelta(seconds=10 * self.step + skew)

    def _fill(
        self,
        coid: str,
        quantity: Decimal,
        price: Decimal,
        kind: ReportKind,
        fee: Decimal,
        skew: int,
    ) -> ExecutionReport:
        self.trades += 1
        return ExecutionReport(
            kind=kind,
            client_order_id=coid,
            ts=self._ts(skew),
            trade_id=f"x{self.trades}",
            quantity=quantity,
            price=price,
            commission=fee,
        )

    # --- rules ------------------------------------------------------------------------------
    @initialize(target=orders, quantity=st.none() | quarters)
    def first_order(self, quantity: Decimal | None) -> str:
        return self._new_order(quantity)

    @rule(target=orders, quantity=st.none() | quarters)
    def create(self, quantity: Decimal | None) -> str:
        return self._new_order(quantity)

    def _new_order(self, quantity: Decimal | None) -> str:
        coid = f"tb-{len(self.book)}"
        state = OrderState(
            client_order_id=coid, symbol="AAA", side=OrderSide.BUY, quantity=quantity
        )
        self.book[coid] = Tracked(state)
        return coid

    @rule(coid=orders, kind=status_reports, skew=st.integers(-25, 5))
    def status_report(self, coid: str, kind: ReportKind, skew: int) -> None:
        reason = "venue says" if kind in (K.REJECTED, K.CANCELLED) else ""
        report = ExecutionReport(kind=kind, client_order_id=coid, ts=self._ts(skew), reason=reason)
        self._apply(coid, report)

    @rule(
        coid=orders,
        size=st.sampled_from(["fits", "rest", "any"]),
        data=st.data(),
        price=prices,
        kind=st.sampled_from(FILL_KINDS),
        fee=fees,
        skew=st.integers(-25, 5),
    )
    def fresh_fill(
        self,
        coid: str,
        size: str,
        data: st.DataObject,
        price: Decimal,
        kind: ReportKind,
        fee: Decimal,
        skew: int,
    ) -> None:
        """A new trade: part of what is left, all of it, or any size (maybe an overfill)."""
        left = self.book[coid].state.remaining
        quantity = data.draw(quarters)
        if left is not None and left > 0 and size != "any":
            quantity = left if size == "rest" else min(quantity, left)
        self._apply(coid, self._fill(coid, quantity, price, kind, fee, skew))

    @precondition(lambda self: any(t.fills for t in self.book.values()))
    @rule(data=st.data(), same_terms=st.booleans(), other=quarters)
    def redelivered_fill(self, data: st.DataObject, same_terms: bool, other: Decimal) -> None:
        """A fill sent before comes again: as it was, or with the same trade id and other
        terms (a venue fault); either way never applied twice."""
        sent = [r for t in self.book.values() for r in t.sent if r.is_fill]
        report = data.draw(st.sampled_from(sent))
        if not same_terms:
            report = ExecutionReport(
                kind=report.kind,
                client_order_id=report.client_order_id,
                ts=self._ts(0),
                trade_id=report.trade_id,
                quantity=other,
                price=report.price,
            )
        self._apply(report.client_order_id, report)

    @precondition(lambda self: any(t.sent for t in self.book.values()))
    @rule(data=st.data())
    def earlier_report_again(self, data: st.DataObject) -> None:
        """Any report sent before arrives again (repeated, or overtaken by later ones)."""
        sent = [r for t in self.book.values() for r in t.sent]
        report = data.draw(st.sampled_from(sent))
        self._apply(report.client_order_id, report)

    @precondition(
        lambda self: any(
            t.state.status in (S.CANCELLED, S.EXPIRED) and t.state.remaining != 0
            for t in self.book.values()
        )
    )
    @rule(data=st.data(), price=prices, kind=st.sampled_from(FILL_KINDS), skew=st.integers(-30, 0))
    def late_fill_after_cancel(
        self, data: st.DataObject, price: Decimal, kind: ReportKind, skew: int
    ) -> None:
        """The venue traded before it cancelled (or expired) the order; the report comes
        after, fitting what was left."""
        gone = sorted(
            coid
            for coid, t in self.book.items()
            if t.state.status in (S.CANCELLED, S.EXPIRED) and t.state.remaining != 0
        )
        coid = data.draw(st.sampled_from(gone))
        left = self.book[coid].state.remaining
        quantity = data.draw(quarters)
        if left is not None:
            quantity = min(quantity, left)
        self._apply(coid, self._fill(coid, quantity, price, kind, Decimal(0), skew))

    @rule(coid=orders)
    def submit_outcome_lost(self, coid: str) -> None:
        tracked = self.book[coid]
        before = tracked.state
        transition = outcome_lost(before, "timed out")
        if before.status is S.NEW:
            assert isinstance(transition, Applied)
            assert transition.state.status is S.UNKNOWN
            assert transition.state.filled == before.filled
            tracked.state = transition.state
        else:
            assert isinstance(transition, Refused) and transition.state is before

    @rule(coid=orders, status=st.sampled_from(STATUS_KINDS), symbol=st.sampled_from(["AAA", "B"]))
    def report_for_another_order(self, coid: str, status: ReportKind, symbol: str) -> None:
        target = coid if symbol == "B" else coid + "-other"
        report = ExecutionReport(kind=status, client_order_id=target, ts=self._ts(0), symbol=symbol)
        before = self.book[coid].state
        transition = apply(before, report)
        assert isinstance(transition, Refused) and transition.refusal is Refusal.WRONG_ORDER
        assert transition.state is before

    # --- one report, checked against the rules it must obey ----------------------------------
    def _apply(self, coid: str, report: ExecutionReport) -> None:
        tracked = self.book[coid]
        tracked.sent.append(report)
        before = tracked.state
        transition = apply(before, report)
        after = transition.state
        if isinstance(transition, Refused):
            assert after is before  # a refused report changes nothing
        if report.is_fill:
            self._check_fill(before, report, transition)
        else:
            self._check_status_report(before, report, transition)
        if isinstance(transition, Applied):
            if report.is_fill:
                tracked.fills.append(report)
                tracked.said_filled |= report.kind is K.FILLED
            tracked.last_ts = (
                report.ts if tracked.last_ts is None else max(tracked.last_ts, report.ts)
            )
        if before.status in (S.FILLED, S.REJECTED):
            assert after is before  # filled and rejected are final for everything
        if before.is_final:
            assert after.is_final  # a final order stays final
        tracked.state = after
        tracked.was_final |= after.is_final

    @staticmethod
    def _check_fill(before: OrderState, report: ExecutionReport, transition: object) -> None:
        """Which fills are refused and why; every other one — a real trade that fits — is
        applied, late fills after a cancel included."""
        assert report.quantity is not None
        wanted = before.quantity
        if report.trade_id in before.trade_ids:
            expected: Refusal | None = Refusal.DUPLICATE_TRADE
        elif before.status is S.REJECTED:
            expected = Refusal.FINAL
        elif before.status is S.FILLED or (
            wanted is not None and before.filled + report.quantity > wanted
        ):
            expected = Refusal.OVERFILL
        else:
            expected = None
        if expected is None:
            assert isinstance(transition, Applied), transition
            after = transition.state
            if before.status in (S.CANCELLED, S.EXPIRED, S.PENDING_CANCEL):
                assert after.status in (before.status, S.FILLED)
        else:
            assert isinstance(transition, Refused) and transition.refusal is expected, transition

    @staticmethod
    def _check_status_report(
        before: OrderState, report: ExecutionReport, transition: object
    ) -> None:
        """A status report never touches the fills, and moves an order only forward — except
        out of ``UNKNOWN`` and a rejected cancel's return to work."""
        if isinstance(transition, Refused):
            if before.is_final:
                assert transition.refusal is Refusal.FINAL
            return
        assert isinstance(transition, Applied)
        after = transition.state
        assert (after.filled, after.filled_value, after.trade_ids) == (
            before.filled,
            before.filled_value,
            before.trade_ids,
        )
        assert not before.is_final
        if report.kind is K.CANCEL_REJECTED:
            assert before.status is S.PENDING_CANCEL
            assert after.status is (S.PARTIALLY_FILLED if before.filled else S.ACCEPTED)
        elif before.status is not S.UNKNOWN:
            assert RANK[after.status] > RANK[before.status]

    # --- invariants, over every order, after every step ---------------------------------------
    @invariant()
    def fills_add_up_exactly(self) -> None:
        for tracked in self.book.values():
            state, fills = tracked.state, tracked.fills
            quantities = [r.quantity for r in fills if r.quantity is not None]
            value = sum((r.quantity * r.price for r in fills if r.quantity and r.price), Decimal(0))
            assert state.filled == sum(quantities, Decimal(0))
            assert state.filled_value == value
            assert state.commission == sum((r.commission for r in fills), Decimal(0))
            ids = [r.trade_id for r in fills]
            assert len(ids) == len(set(ids))  # no trade applied twice
            assert state.trade_ids == set(ids)
            expected_average = value / state.filled if fills else None
            assert state.average_price == expected_average
            assert state.last_report_ts == tracked.last_ts

    @invariant()
    def status_agrees_with_what_filled(self) -> None:
        for tracked in self.book.values():
            state = tracked.state
            if state.quantity is not None:
                assert state.filled <= state.quantity
                assert (state.status is S.FILLED) == (state.filled == state.quantity)
                if state.status is S.PARTIALLY_FILLED:
                    assert state.filled < state.quantity
            else:
                assert (state.status is S.FILLED) == tracked.said_filled
            if state.status in NOTHING_FILLED:
                assert state.filled == 0
            if state.status is S.PARTIALLY_FILLED:
                assert state.filled > 0
            if tracked.was_final:
                assert state.is_final


OrderReports.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
TestOrderReports = OrderReports.TestCase
