"""The fill path's shortcuts equal the long way, record for record (hypothesis).

- ``apply_first(order, report)`` — an order's first report applied without building its
  state twice — is ``apply(OrderState.as_recorded(order), report)`` for every order (sized
  by quantity or notional, in any status, with or without a venue id or reason, even one
  whose quantity the state machine refuses) and every report (any kind, for this order or
  another, naming its symbol and side or not, fills of any size, price and commission):
  the same outcome, state, refusal and reason, or the same error — compared by ``repr``,
  so a Decimal's exponent counts too.
- ``ExecutionReport.of_fill`` (slot by slot, unchecked) is the checked constructor's report.
- ``evolve`` is ``dataclasses.replace`` without the checks, and refuses a name that is not
  a field.
- ``FeeSchedule.affordable`` is ``units_for`` and the fee of those units.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.paper.fees import FeeSchedule
from tradebot.domain.enums import OrderSide, OrderStatus, ReportKind
from tradebot.domain.execution import FILL_KINDS, ExecutionReport
from tradebot.domain.first_report import apply_first
from tradebot.domain.messages import Fill, Order
from tradebot.domain.order_state import OrderState, Transition, apply

T0 = datetime(2024, 3, 4, 15, 30, tzinfo=UTC)
COID = "tb-abc"

decimals = st.decimals(
    min_value=Decimal("1e-12"), max_value=Decimal("1e9"), allow_nan=False, allow_infinity=False
)
long_decimals = st.integers(min_value=1, max_value=10**35).map(lambda n: Decimal(n).scaleb(-20))
"""More digits than the Decimal context keeps (28): a sum rounds them."""
sizes = st.one_of(
    decimals,
    long_decimals,
    st.sampled_from([Decimal(1), Decimal("1E+2"), Decimal("2.50"), Decimal("0.1")]),
)
fees = st.one_of(
    st.just(Decimal(0)), decimals, st.sampled_from([Decimal("0E-10"), Decimal("1E+1")])
)
texts = st.sampled_from(["", "venue says", "cancelled: too late"])


@st.composite
def orders(draw: st.DrawFn) -> Order:
    by_notional = draw(st.booleans())
    order = Order(
        client_order_id=COID,
        decision_id="dec-abc",
        symbol="AAA",
        side=draw(st.sampled_from(OrderSide)),
        quantity=None if by_notional else draw(sizes),
        notional=draw(sizes) if by_notional else None,
        created_at=T0,
        status=draw(st.sampled_from(OrderStatus)),
        broker_order_id=draw(st.none() | st.just("paper-tb-abc")),
        reason=draw(texts),
    )
    if not by_notional and draw(st.integers(0, 20)) == 0:  # a size the state refuses
        order = order.evolve(quantity=draw(st.sampled_from([Decimal("Infinity"), Decimal(0)])))
    return order


@st.composite
def reports(draw: st.DrawFn) -> ExecutionReport:
    kind = draw(st.sampled_from(ReportKind))
    fill = kind in FILL_KINDS
    return ExecutionReport(
        kind=kind,
        client_order_id=draw(st.sampled_from([COID, COID, COID, "tb-other"])),
        ts=T0 + timedelta(seconds=draw(st.integers(-5, 5))),
        broker_order_id=draw(st.none() | st.sampled_from(["paper-tb-abc", "venue-9"])),
        reason=draw(texts),
        trade_id=draw(st.sampled_from(["t1", "t2"])) if fill else None,
        quantity=draw(sizes) if fill else None,
        price=draw(decimals) if fill else None,
        commission=draw(fees) if fill else Decimal(0),
        symbol=draw(st.sampled_from([None, None, "AAA", "BBB"])),
        side=draw(st.sampled_from([None, None, OrderSide.BUY, OrderSide.SELL])),
    )


def _outcome(make: object) -> tuple[str, str]:
    """What a call gives: its outcome's repr, or its error's type and message."""
    assert callable(make)
    try:
        outcome: Transition = make()
    except (ValueError, ArithmeticError) as exc:
        return type(exc).__name__, str(exc)
    return type(outcome).__name__, repr(outcome)


@given(orders(), reports())
def test_the_first_report_shortcut_is_apply_on_the_recorded_state(
    order: Order, report: ExecutionReport
) -> None:
    short = _outcome(lambda: apply_first(order, report))
    long = _outcome(lambda: apply(OrderState.as_recorded(order), report))
    assert short == long


short_decimals = st.one_of(
    st.decimals(min_value=Decimal("1e-8"), max_value=Decimal("1e9"), places=8),
    st.sampled_from([Decimal("1E+2"), Decimal("2.5E+1"), Decimal("3")]),
)
"""Sizes a sum keeps exactly (a 29th digit could round a fill past its order: an overfill),
some with a positive exponent (``0 + x`` writes those out: the shortcut must add too)."""


@given(
    orders(),
    st.sampled_from([ReportKind.FILLED, ReportKind.PARTIALLY_FILLED]),
    st.tuples(short_decimals, short_decimals, short_decimals, st.just(Decimal(0)) | short_decimals),
)
def test_a_fill_that_fits_the_order_is_applied_as_apply_applies_it(
    order: Order, kind: ReportKind, amounts: tuple[Decimal, Decimal, Decimal, Decimal]
) -> None:
    """The case the shortcut is for (the test above draws it only now and then): a fill
    of this order, no larger than it, in any status — applied unless the order is done."""
    wanted, quantity, price, commission = amounts
    if order.quantity is not None:
        order = order.evolve(quantity=wanted)
    fill = ExecutionReport(
        kind=kind,
        client_order_id=COID,
        ts=T0,
        trade_id="t1",
        quantity=min(quantity, wanted) if order.quantity is not None else quantity,
        price=price,
        commission=commission,
        symbol="AAA",
        side=order.side,
    )
    short = _outcome(lambda: apply_first(order, fill))
    assert short == _outcome(lambda: apply(OrderState.as_recorded(order), fill))
    done = order.status in (OrderStatus.FILLED, OrderStatus.REJECTED)
    assert short[0] == ("Refused" if done else "Applied")


def test_the_state_of_an_order_before_any_report_is_its_record() -> None:
    order = Order(
        client_order_id=COID,
        decision_id="dec-abc",
        symbol="AAA",
        side=OrderSide.SELL,
        quantity=Decimal(3),
        created_at=T0,
        status=OrderStatus.ACCEPTED,
        broker_order_id="paper-tb-abc",
        reason="why",
    )
    state = OrderState.as_recorded(order)
    assert (state.status, state.broker_order_id, state.reason) == (
        OrderStatus.ACCEPTED,
        "paper-tb-abc",
        "why",
    )
    assert (state.filled, state.trade_ids, state.last_report_ts) == (0, frozenset(), None)


@given(
    quantity=decimals,
    price=decimals,
    commission=fees,
    done=st.booleans(),
    broker_order_id=st.none() | st.just("paper-tb-abc"),
)
def test_a_report_of_a_fill_is_the_checked_constructors(
    quantity: Decimal,
    price: Decimal,
    commission: Decimal,
    done: bool,
    broker_order_id: str | None,
) -> None:
    fill = Fill(
        fill_id="tb-abc-1",
        client_order_id=COID,
        symbol="AAA",
        side=OrderSide.BUY,
        quantity=quantity,
        price=price,
        commission=commission,
        ts=T0,
    )
    quick = ExecutionReport.of_fill(fill, done=done, broker_order_id=broker_order_id)
    checked = ExecutionReport(
        kind=ReportKind.FILLED if done else ReportKind.PARTIALLY_FILLED,
        client_order_id=COID,
        ts=T0,
        broker_order_id=broker_order_id,
        trade_id="tb-abc-1",
        quantity=quantity,
        price=price,
        commission=commission,
        symbol="AAA",
        side=OrderSide.BUY,
        fill=fill,
    )
    assert repr(quick) == repr(checked)
    assert quick == checked
    assert quick.to_fill("AAA", OrderSide.BUY) is fill


@given(orders(), st.sampled_from(OrderStatus), texts)
def test_evolve_is_replace_without_the_checks(order: Order, status: OrderStatus, why: str) -> None:
    if order.quantity is not None and not (order.quantity.is_finite() and order.quantity > 0):
        order = order.evolve(quantity=Decimal(1))  # replace checks the size again: a valid one
    evolved = order.evolve(status=status, reason=why)
    assert evolved == dataclasses.replace(order, status=status, reason=why)
    assert order.status == order.evolve().status  # the original is untouched
    with pytest.raises(TypeError, match="Order has no field colour"):
        order.evolve(status=status, colour="red")


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100_000), places=2)
small = st.decimals(min_value=Decimal(0), max_value=Decimal(5), places=3)


@given(
    cash=money,
    price=money,
    rate=st.decimals(min_value=Decimal(0), max_value=Decimal("0.01"), places=5),
    per_share=small,
    per_order=small,
    minimum=small,
)
def test_affordable_is_units_for_and_their_fee(
    cash: Decimal,
    price: Decimal,
    rate: Decimal,
    per_share: Decimal,
    per_order: Decimal,
    minimum: Decimal,
) -> None:
    fees = FeeSchedule(rate=rate, per_share=per_share, per_order=per_order, minimum=minimum)
    units, fee = fees.affordable(cash, price)
    assert repr(units) == repr(fees.units_for(cash, price)) == repr(_units_for(fees, cash, price))
    assert repr(fee) == repr(fees.fee(price, units) if units > 0 else None)


def _units_for(fees: FeeSchedule, cash: Decimal, price: Decimal) -> Decimal:
    """``FeeSchedule.units_for`` as it was written before it kept the last fee."""
    per_unit = price * (1 + fees.rate) + fees.per_share
    by_variable = (cash - fees.per_order) / per_unit
    if fees.minimum:
        by_variable = min(by_variable, (cash - fees.minimum) / price)
    step = Decimal("1e-12")
    units = by_variable.quantize(step, rounding=ROUND_DOWN)
    while units > 0 and (excess := price * units + fees.fee(price, units) - cash) > 0:
        steps = (excess / per_unit / step).to_integral_value(rounding=ROUND_CEILING)
        units -= max(steps, Decimal(1)) * step
    return max(units, Decimal(0))
