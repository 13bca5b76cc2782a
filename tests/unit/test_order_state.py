"""The order state machine, one rule at a time, with hand-written report sequences; and the
execution report's own checks."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import TypeAdapter

from tradebot.domain import (
    Applied,
    ExecutionReport,
    Fill,
    Order,
    OrderSide,
    OrderState,
    OrderStatus,
    Refusal,
    Refused,
    ReportKind,
    Transition,
    apply,
    outcome_lost,
)

T0 = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)
COID = "tb-dec-1"
S = OrderStatus
K = ReportKind
FINAL = (S.FILLED, S.CANCELLED, S.REJECTED, S.EXPIRED)
STATUS_KINDS = tuple(k for k in ReportKind if k not in (K.PARTIALLY_FILLED, K.FILLED))


def _new(quantity: str | None = "10") -> OrderState:
    return OrderState(
        client_order_id=COID,
        symbol="AAPL",
        side=OrderSide.BUY,
        quantity=None if quantity is None else Decimal(quantity),
    )


def _report(kind: ReportKind, seconds: int = 1, **extra: object) -> ExecutionReport:
    return ExecutionReport(
        kind=kind,
        client_order_id=COID,
        ts=T0 + timedelta(seconds=seconds),
        **extra,  # type: ignore[arg-type]
    )


def _fill(
    trade: str,
    quantity: str,
    price: str = "100",
    kind: ReportKind = K.PARTIALLY_FILLED,
    seconds: int = 2,
    commission: str = "0",
) -> ExecutionReport:
    return _report(
        kind,
        seconds,
        trade_id=trade,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal(commission),
    )


def _applied(transition: Transition) -> OrderState:
    assert isinstance(transition, Applied), transition
    return transition.state


def _refused(state: OrderState, report: ExecutionReport, refusal: Refusal) -> str:
    """Apply ``report``, check it is refused for ``refusal`` and leaves ``state`` as it was."""
    transition = apply(state, report)
    assert isinstance(transition, Refused), transition
    assert transition.refusal is refusal, transition.why
    assert transition.state is state
    return transition.why


def _run(state: OrderState, *reports: ExecutionReport) -> OrderState:
    for report in reports:
        state = _applied(apply(state, report))
    return state


def _in(status: OrderStatus, quantity: str | None = "10") -> OrderState:
    """An order brought to ``status`` by reports (nothing filled unless the status says)."""
    start = _new(quantity)
    paths = {
        S.NEW: (),
        S.SUBMITTED: (_report(K.SUBMITTED),),
        S.ACCEPTED: (_report(K.ACCEPTED),),
        S.PARTIALLY_FILLED: (_report(K.ACCEPTED), _fill("t1", "4")),
        S.PENDING_CANCEL: (_report(K.ACCEPTED), _report(K.PENDING_CANCEL)),
        S.FILLED: (_fill("t1", quantity or "10", kind=K.FILLED),),
        S.CANCELLED: (_report(K.ACCEPTED), _report(K.CANCELLED)),
        S.REJECTED: (_report(K.REJECTED, reason="insufficient buying power"),),
        S.EXPIRED: (_report(K.ACCEPTED), _report(K.EXPIRED)),
    }
    if status is S.UNKNOWN:
        return _applied(outcome_lost(start, "submit timed out"))
    state = _run(start, *paths[status])
    assert state.status is status
    return state


# --- the path of an order --------------------------------------------------------------
def test_an_order_goes_from_new_through_accepted_and_partial_fills_to_filled() -> None:
    state = _run(
        _new(),
        _report(K.SUBMITTED, 1),
        _report(K.ACCEPTED, 2, broker_order_id="v-9"),
        _fill("t1", "4", "100", seconds=3, commission="0.4"),
    )
    assert state.status is S.PARTIALLY_FILLED
    assert (state.filled, state.remaining) == (Decimal(4), Decimal(6))
    state = _run(state, _fill("t2", "6", "101", kind=K.FILLED, seconds=4, commission="0.6"))
    assert state.status is S.FILLED and state.is_final
    assert state.filled == 10 and state.remaining == 0
    assert state.filled_value == Decimal(1006)
    assert state.average_price == Decimal("100.6")
    assert state.commission == Decimal(1)
    assert state.trade_ids == {"t1", "t2"}
    assert state.broker_order_id == "v-9"
    assert state.last_report_ts == T0 + timedelta(seconds=4)


def test_a_market_order_may_be_filled_with_no_accepted_first() -> None:
    for start in (S.NEW, S.SUBMITTED):
        state = _run(_in(start), _fill("t1", "10", kind=K.FILLED))
        assert state.status is S.FILLED


def test_the_fill_kind_follows_the_cumulative_quantity_not_the_report() -> None:
    said_partial = _run(_in(S.ACCEPTED), _fill("t1", "10", kind=K.PARTIALLY_FILLED))
    assert said_partial.status is S.FILLED
    said_filled = _run(_in(S.ACCEPTED), _fill("t1", "3", kind=K.FILLED))
    assert said_filled.status is S.PARTIALLY_FILLED


def test_an_order_sized_by_notional_is_filled_when_the_venue_says_filled() -> None:
    state = _run(_in(S.ACCEPTED, quantity=None), _fill("t1", "3.5", kind=K.PARTIALLY_FILLED))
    assert state.status is S.PARTIALLY_FILLED and state.remaining is None
    state = _run(state, _fill("t2", "1.25", kind=K.FILLED))
    assert state.status is S.FILLED and state.filled == Decimal("4.75")
    _refused(state, _fill("t3", "1"), Refusal.OVERFILL)


def test_the_average_price_is_exactly_the_quantity_weighted_mean() -> None:
    state = _run(
        _in(S.ACCEPTED), _fill("a", "1", "10"), _fill("b", "1", "10"), _fill("c", "1", "11")
    )
    assert state.filled_value == Decimal(31)
    assert state.average_price == Decimal(31) / Decimal(3)
    assert _new().average_price is None


# --- fills refused -----------------------------------------------------------------------
def test_a_second_fill_with_the_same_trade_id_is_refused() -> None:
    state = _run(_in(S.ACCEPTED), _fill("t1", "4"))
    _refused(state, _fill("t1", "4"), Refusal.DUPLICATE_TRADE)
    _refused(state, _fill("t1", "2", "99"), Refusal.DUPLICATE_TRADE)  # same trade, other terms
    done = _run(state, _fill("t2", "6"))
    _refused(done, _fill("t2", "6"), Refusal.DUPLICATE_TRADE)  # a redelivered last fill


def test_a_fill_beyond_the_order_quantity_is_refused() -> None:
    state = _run(_in(S.ACCEPTED), _fill("t1", "7"))
    why = _refused(state, _fill("t2", "3.0001"), Refusal.OVERFILL)
    assert "past 10" in why
    assert _run(state, _fill("t2", "3")).status is S.FILLED


def test_a_filled_order_takes_no_more_fills() -> None:
    _refused(_in(S.FILLED), _fill("t9", "1"), Refusal.OVERFILL)


def test_a_rejected_order_takes_no_fill() -> None:
    _refused(_in(S.REJECTED), _fill("t1", "1"), Refusal.FINAL)


# --- cancels -----------------------------------------------------------------------------
def test_a_fill_while_a_cancel_is_pending_is_applied_and_the_cancel_stays_pending() -> None:
    state = _run(_in(S.PENDING_CANCEL), _fill("t1", "4"))
    assert (state.status, state.filled) == (S.PENDING_CANCEL, Decimal(4))
    assert _run(state, _fill("t2", "6")).status is S.FILLED
    assert _run(state, _report(K.CANCELLED, 5)).status is S.CANCELLED


def test_a_rejected_cancel_puts_the_order_back_to_work() -> None:
    assert _run(_in(S.PENDING_CANCEL), _report(K.CANCEL_REJECTED)).status is S.ACCEPTED
    partly = _run(_in(S.PARTIALLY_FILLED), _report(K.PENDING_CANCEL), _report(K.CANCEL_REJECTED))
    assert partly.status is S.PARTIALLY_FILLED


@pytest.mark.parametrize("status", [S.NEW, S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_FILLED, S.UNKNOWN])
def test_a_cancel_rejected_with_no_cancel_pending_is_refused(status: OrderStatus) -> None:
    _refused(_in(status), _report(K.CANCEL_REJECTED), Refusal.ILLEGAL)


@pytest.mark.parametrize("status", [S.CANCELLED, S.EXPIRED])
def test_a_late_fill_after_a_cancel_or_expiry_is_applied(status: OrderStatus) -> None:
    """The venue traded before it cancelled: the fill is real money, so it counts; the
    order stays final (the rest is gone) and is filled if the fill completes it."""
    state = _run(_in(status), _fill("late", "4", seconds=0))
    assert (state.status, state.filled, state.trade_ids) == (
        status,
        Decimal(4),
        frozenset({"late"}),
    )
    assert state.last_report_ts == T0 + timedelta(seconds=1)  # the cancel's, the later one
    assert _run(state, _fill("later", "6")).status is S.FILLED
    _refused(state, _fill("late", "4"), Refusal.DUPLICATE_TRADE)
    _refused(state, _fill("big", "7"), Refusal.OVERFILL)


def test_a_cancelled_order_sized_by_notional_takes_a_late_fill() -> None:
    state = _run(_in(S.CANCELLED, quantity=None), _fill("late", "2"))
    assert (state.status, state.filled) == (S.CANCELLED, Decimal(2))


# --- status reports ------------------------------------------------------------------------
@pytest.mark.parametrize("status", FINAL)
@pytest.mark.parametrize("kind", STATUS_KINDS)
def test_a_final_order_takes_no_status_report(status: OrderStatus, kind: ReportKind) -> None:
    _refused(_in(status), _report(kind, 9), Refusal.FINAL)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (S.ACCEPTED, K.SUBMITTED),
        (S.PARTIALLY_FILLED, K.SUBMITTED),
        (S.PARTIALLY_FILLED, K.ACCEPTED),
        (S.PENDING_CANCEL, K.ACCEPTED),
        (S.PENDING_CANCEL, K.SUBMITTED),
    ],
)
def test_a_report_that_would_move_the_order_backwards_is_stale(
    status: OrderStatus, kind: ReportKind
) -> None:
    _refused(_in(status), _report(kind, 9), Refusal.OUT_OF_ORDER)


@pytest.mark.parametrize(
    ("status", "kind"),
    [(S.SUBMITTED, K.SUBMITTED), (S.ACCEPTED, K.ACCEPTED), (S.PENDING_CANCEL, K.PENDING_CANCEL)],
)
def test_a_repeated_report_is_refused_as_a_repeat(status: OrderStatus, kind: ReportKind) -> None:
    _refused(_in(status), _report(kind, 9), Refusal.REPEATED)


@pytest.mark.parametrize(
    ("status", "kind", "after"),
    [
        (S.NEW, K.SUBMITTED, S.SUBMITTED),
        (S.NEW, K.ACCEPTED, S.ACCEPTED),
        (S.NEW, K.REJECTED, S.REJECTED),
        (S.NEW, K.CANCELLED, S.CANCELLED),  # a held bracket child that never armed
        (S.SUBMITTED, K.ACCEPTED, S.ACCEPTED),
        (S.SUBMITTED, K.REJECTED, S.REJECTED),
        (S.SUBMITTED, K.CANCELLED, S.CANCELLED),  # immediate-or-cancel with no fill
        (S.ACCEPTED, K.PENDING_CANCEL, S.PENDING_CANCEL),
        (S.ACCEPTED, K.REJECTED, S.REJECTED),  # a stop-limit refused when it triggers
        (S.ACCEPTED, K.EXPIRED, S.EXPIRED),
        (S.PARTIALLY_FILLED, K.PENDING_CANCEL, S.PENDING_CANCEL),
        (S.PARTIALLY_FILLED, K.CANCELLED, S.CANCELLED),
        (S.PARTIALLY_FILLED, K.EXPIRED, S.EXPIRED),
        (S.PENDING_CANCEL, K.CANCELLED, S.CANCELLED),
        (S.PENDING_CANCEL, K.EXPIRED, S.EXPIRED),
        (S.PENDING_CANCEL, K.REJECTED, S.REJECTED),
    ],
)
def test_a_report_moves_the_order_forward(
    status: OrderStatus, kind: ReportKind, after: OrderStatus
) -> None:
    before = _in(status)
    state = _run(before, _report(kind, 9, reason="why", broker_order_id="v-1"))
    assert state.status is after
    assert (state.reason, state.broker_order_id) == ("why", "v-1")
    assert (state.filled, state.trade_ids) == (before.filled, before.trade_ids)


def test_an_order_that_traded_is_never_rejected() -> None:
    _refused(_in(S.PARTIALLY_FILLED), _report(K.REJECTED, 9), Refusal.ILLEGAL)
    pending = _run(_in(S.PENDING_CANCEL), _fill("t1", "1"))
    _refused(pending, _report(K.REJECTED, 9), Refusal.ILLEGAL)


def test_reason_broker_id_and_time_are_kept_when_a_report_has_none() -> None:
    state = _run(_new(), _report(K.ACCEPTED, 5, broker_order_id="v-1", reason="ok"))
    state = _run(state, _report(K.PENDING_CANCEL, 3))  # an earlier venue time
    assert (state.broker_order_id, state.reason) == ("v-1", "ok")
    assert state.last_report_ts == T0 + timedelta(seconds=5)


def test_a_report_about_another_order_is_refused() -> None:
    state = _in(S.ACCEPTED)
    other = ExecutionReport(kind=K.CANCELLED, client_order_id="tb-other", ts=T0)
    _refused(state, other, Refusal.WRONG_ORDER)
    _refused(state, _report(K.CANCELLED, symbol="MSFT"), Refusal.WRONG_ORDER)
    _refused(state, _report(K.CANCELLED, side=OrderSide.SELL), Refusal.WRONG_ORDER)
    named = _report(K.CANCELLED, symbol="AAPL", side=OrderSide.BUY)
    assert _run(state, named).status is S.CANCELLED


# --- unknown outcome ---------------------------------------------------------------------
def test_a_lost_submit_makes_a_new_order_unknown_and_nothing_else() -> None:
    state = _in(S.UNKNOWN)
    assert state.reason == "submit timed out"
    assert isinstance(outcome_lost(state, "again"), Refused)
    for status in (S.SUBMITTED, S.ACCEPTED, S.FILLED):
        lost = outcome_lost(_in(status), "late timeout")
        assert isinstance(lost, Refused) and lost.refusal is Refusal.ILLEGAL


@pytest.mark.parametrize(
    ("kind", "after"),
    [
        (K.SUBMITTED, S.SUBMITTED),
        (K.ACCEPTED, S.ACCEPTED),
        (K.PENDING_CANCEL, S.PENDING_CANCEL),
        (K.CANCELLED, S.CANCELLED),
        (K.REJECTED, S.REJECTED),
        (K.EXPIRED, S.EXPIRED),
        (K.PARTIALLY_FILLED, S.PARTIALLY_FILLED),
        (K.FILLED, S.FILLED),
    ],
)
def test_an_unknown_order_is_resolved_by_any_report(kind: ReportKind, after: OrderStatus) -> None:
    report = (
        _fill("t1", "10" if kind is K.FILLED else "4", kind=kind)
        if kind
        in (
            K.PARTIALLY_FILLED,
            K.FILLED,
        )
        else _report(kind)
    )
    assert _run(_in(S.UNKNOWN), report).status is after


# --- construction --------------------------------------------------------------------------
def test_the_state_of_an_order_starts_new_with_its_size() -> None:
    order = Order(
        client_order_id=COID,
        decision_id="dec-1",
        symbol="AAPL",
        side=OrderSide.SELL,
        notional=Decimal(500),
        created_at=T0,
    )
    state = OrderState.for_order(order)
    assert (state.status, state.quantity, state.side) == (S.NEW, None, OrderSide.SELL)
    assert state.filled == 0
    with pytest.raises(ValueError, match="quantity must be > 0"):
        _new("0")


def test_a_fill_report_becomes_the_pipelines_fill() -> None:
    report = _fill("t1", "4", "100.5", commission="0.25")
    assert report.is_fill
    assert report.to_fill("AAPL", OrderSide.BUY) == Fill(
        fill_id="t1",
        client_order_id=COID,
        symbol="AAPL",
        side=OrderSide.BUY,
        quantity=Decimal(4),
        price=Decimal("100.5"),
        commission=Decimal("0.25"),
        ts=T0 + timedelta(seconds=2),
    )
    with pytest.raises(ValueError, match="carries no fill"):
        _report(K.ACCEPTED).to_fill("AAPL", OrderSide.BUY)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ts": datetime(2024, 3, 4, 15, 30)}, "UTC-aware"),  # naive on purpose
        ({"ts": datetime(2024, 3, 4, 15, 30, tzinfo=timezone(timedelta(hours=1)))}, "UTC"),
        ({"client_order_id": ""}, "client_order_id"),
        ({"trade_id": None}, "trade_id"),
        ({"trade_id": ""}, "trade_id"),
        ({"quantity": Decimal(0)}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": Decimal("NaN")}, "quantity"),
        ({"price": Decimal(-1)}, "price"),
        ({"price": Decimal("Infinity")}, "price"),
        ({"commission": Decimal("-0.01")}, "commission"),
        ({"kind": K.ACCEPTED}, "carries no fill"),
    ],
)
def test_a_malformed_report_is_refused_where_it_is_made(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(_fill("t1", "1"), **changes)  # type: ignore[arg-type]


def test_a_status_report_carries_no_commission() -> None:
    with pytest.raises(ValueError, match="no commission"):
        _report(K.CANCELLED, commission=Decimal(1))


def test_a_report_is_frozen_slotted_and_crosses_a_process_boundary() -> None:
    report = _fill("t1", "4", "100.5", commission="0.25")
    assert not hasattr(report, "__dict__")
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.kind = K.FILLED  # type: ignore[misc]
    adapter = TypeAdapter(ExecutionReport)
    assert adapter.validate_json(adapter.dump_json(report)) == report
