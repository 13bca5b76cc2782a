"""Properties of the paper broker's intrabar fills over arbitrary bars and levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.paper import PaperBroker
from tradebot.adapters.paper.bar_open import SessionOpens
from tradebot.domain import Bar
from tradebot.domain.enums import OrderSide, OrderType, Timeframe
from tradebot.domain.messages import Order

T0 = datetime(2024, 1, 2, 21, tzinfo=UTC)
price = st.integers(min_value=1_000, max_value=20_000).map(lambda c: c / 100)
# A fill at a daily bar's open is stamped with the session's open, read from the exchange
# calendar once per process: read it now, not inside the first timed example.
SessionOpens()(Bar("X", Timeframe.D1, T0, 1, 1, 1, 1, 1))


@st.composite
def bars(draw: st.DrawFn) -> Bar:
    o, c, a, b = (draw(price) for _ in range(4))
    day = draw(st.integers(min_value=0, max_value=3))
    return Bar("X", Timeframe.D1, T0 + timedelta(days=day), o, max(o, c, a), min(o, c, b), c, 1e5)


def make(side: OrderSide, type_: OrderType, level: Decimal) -> Order:
    return Order(
        client_order_id="p",
        decision_id="d",
        symbol="X",
        side=side,
        type=type_,
        quantity=Decimal(1),
        limit_price=level if type_ in (OrderType.LIMIT, OrderType.STOP_LIMIT) else None,
        stop_price=level if type_ in (OrderType.STOP, OrderType.STOP_LIMIT) else None,
        created_at=T0,
    )


@given(bars(), price)
def test_limit_buy_never_fills_above_its_limit(b: Bar, level: float) -> None:
    limit = Decimal(repr(level))
    broker = PaperBroker(slippage_bps=Decimal(25))
    broker.submit(make(OrderSide.BUY, OrderType.LIMIT, limit))
    for f in broker.fills_on(b):
        assert f.price <= limit


@given(bars(), price, st.integers(min_value=0, max_value=100))
def test_stop_sell_fills_at_min_of_open_and_stop_less_slippage(
    b: Bar, level: float, bps: int
) -> None:
    stop = Decimal(repr(level))
    broker = PaperBroker(slippage_bps=Decimal(bps))
    broker.submit(make(OrderSide.SELL, OrderType.STOP, stop))
    fills = broker.fills_on(b)
    touched = b.ts > T0 and Decimal(repr(b.low)) <= stop
    assert bool(fills) == touched
    for f in fills:
        assert f.price == min(Decimal(repr(b.open)), stop) * (1 - Decimal(bps) / 10_000)


@given(
    bars(),
    price,
    st.sampled_from(list(OrderType)),
    st.sampled_from(list(OrderSide)),
)
def test_never_fills_on_the_bar_it_was_created(
    b: Bar, level: float, type_: OrderType, side: OrderSide
) -> None:
    broker = PaperBroker()
    broker.submit(make(side, type_, Decimal(repr(level))))
    same_bar = Bar(b.symbol, b.timeframe, T0, b.open, b.high, b.low, b.close, b.volume)
    assert broker.fills_on(same_bar) == []


@given(
    bars(),
    price,
    st.sampled_from(list(OrderType)),
    st.sampled_from(list(OrderSide)),
)
def test_a_fill_at_the_open_is_stamped_with_the_open_any_other_with_the_close(
    b: Bar, level: float, type_: OrderType, side: OrderSide
) -> None:
    broker = PaperBroker()  # no slippage: a fill at the open is at the open's price
    broker.submit(make(side, type_, Decimal(repr(level))))
    opened = SessionOpens()(b)
    for f in broker.fills_on(b):
        assert T0 < opened < b.ts and f.ts in (opened, b.ts)
        assert (f.ts == opened) == (f.price == Decimal(repr(b.open)))
