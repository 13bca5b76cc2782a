"""The volume-share fill model and the finer-bar bracket tie-break of the paper broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.paper import PaperBroker
from tradebot.adapters.paper.volume import VolumeShare
from tradebot.domain import Bar
from tradebot.domain.bracket import bracket_children
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, Timeframe
from tradebot.domain.messages import Order

T0 = datetime(2024, 1, 2, 21, tzinfo=UTC)
D = Decimal


def bar(day: int, o: float, h: float, low: float, c: float, volume: float = 1e6) -> Bar:
    return Bar("AAPL", Timeframe.D1, T0 + timedelta(days=day), o, h, low, c, volume)


def order(side: OrderSide, qty: str, **extra: object) -> Order:
    return Order(
        client_order_id="o1",
        decision_id="d1",
        symbol="AAPL",
        side=side,
        quantity=D(qty),
        created_at=T0,
        **extra,  # type: ignore[arg-type]
    )


def test_a_big_order_fills_within_the_volume_limit_bar_after_bar() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D("0.1"), impact=D("0.1")))
    broker.submit(order(OrderSide.BUY, "250"))
    first = broker.fills_on(bar(1, 100, 101, 99, 100, volume=1000))
    assert [f.quantity for f in first] == [D(100)]  # 10 % of 1,000
    assert first[0].price == D(100) * (1 + D("0.1") * D("0.1") ** 2)  # impact 0.1 × share²
    assert broker.lookup("o1").status is OrderStatus.PARTIALLY_FILLED  # type: ignore[union-attr]
    assert broker.fills_on(bar(2, 100, 101, 99, 100, volume=0)) == []  # no volume, no fill
    second = broker.fills_on(bar(3, 100, 101, 99, 100, volume=1000))
    third = broker.fills_on(bar(4, 100, 101, 99, 100, volume=1e6))
    assert [f.quantity for f in second + third] == [D(100), D(50)]
    assert [f.fill_id for f in first + second + third] == ["o1-1", "o1-2", "o1-3"]
    assert broker.lookup("o1").status is OrderStatus.FILLED  # type: ignore[union-attr]
    assert "AAPL" not in broker.working_symbols()


def test_impact_never_takes_a_limit_order_through_its_limit() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D(1), impact=D(1)))
    broker.submit(order(OrderSide.BUY, "500", type=OrderType.LIMIT, limit_price=D("99.5")))
    (fill,) = broker.fills_on(bar(1, 100, 101, 99, 100, volume=1000))
    assert fill.price == D("99.5")


def test_a_partly_filled_stop_keeps_working_as_a_market_order() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D("0.5"), impact=D(0)))
    broker.submit(order(OrderSide.SELL, "100", type=OrderType.STOP, stop_price=D(95)))
    (first,) = broker.fills_on(bar(1, 98, 99, 94, 96, volume=100))
    assert first.quantity == D(50) and first.price == D(95)
    (second,) = broker.fills_on(bar(2, 97, 99, 96, 98, volume=100))  # above the stop: still sells
    assert second.quantity == D(50) and second.price == D(97)


@settings(max_examples=200, deadline=None)
@given(
    wanted=st.integers(1, 100_000),
    volumes=st.lists(st.integers(0, 50_000), min_size=1, max_size=30),
    limit=st.decimals(D("0.001"), D(1), places=3),
    impact=st.decimals(D(0), D(2), places=2),
)
def test_fills_never_exceed_the_limit_and_add_up_to_the_order(
    wanted: int, volumes: list[int], limit: Decimal, impact: Decimal
) -> None:
    broker = PaperBroker(volume=VolumeShare(limit=limit, impact=impact))
    broker.submit(order(OrderSide.BUY, str(wanted)))
    total = D(0)
    for day, volume in enumerate(volumes, start=1):
        for fill in broker.fills_on(bar(day, 100, 101, 99, 100, volume=float(volume))):
            assert fill.quantity <= limit * volume
            assert fill.quantity == fill.quantity.to_integral_value()  # whole shares stay whole
            assert fill.price >= D(100)  # impact moves a buy up, never down
            total += fill.quantity
    assert total <= wanted
    status = broker.lookup("o1").status  # type: ignore[union-attr]
    assert (status is OrderStatus.FILLED) == (total == wanted)


def _bracket(broker: PaperBroker) -> None:
    entry = order(OrderSide.BUY, "10").evolve(client_order_id="entry")
    broker.submit_bracket(entry, bracket_children(entry, D(95), D(110)))


def test_finer_bars_settle_which_bracket_leg_came_first() -> None:
    def finer(symbol: str, after: datetime, until: datetime) -> list[Bar]:
        start = after + timedelta(hours=1)  # the day's path: up to the target, then down
        return [
            Bar(symbol, Timeframe.H1, start, 100, 111, 100, 110, 1.0),
            Bar(symbol, Timeframe.H1, start + timedelta(hours=1), 110, 110, 90, 91, 1.0),
        ]

    for finer_bars, winner in ((None, "entry-sl"), (finer, "entry-tp")):
        broker = PaperBroker(finer_bars=finer_bars)
        _bracket(broker)
        broker.fills_on(bar(1, 100, 101, 99, 100))  # the entry fills
        fills = broker.fills_on(bar(2, 100, 115, 90, 100))  # both legs reachable
        assert [f.client_order_id for f in fills] == [winner]
        if winner == "entry-tp":  # reached inside the first finer bar: at its close
            assert fills[0].price == D(110)
            assert fills[0].ts == bar(1, 1, 1, 1, 1).ts + timedelta(hours=1)


def test_a_cancelled_partly_filled_order_fills_no_more() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D("0.5")))
    broker.submit(order(OrderSide.BUY, "10"))
    assert [f.quantity for f in broker.fills_on(bar(1, 100, 101, 99, 100, volume=4))] == [D(2)]
    broker.cancel("o1")
    assert broker.lookup("o1").status is OrderStatus.CANCELLED  # type: ignore[union-attr]
    assert broker.fills_on(bar(2, 100, 101, 99, 100, volume=1e6)) == []
    assert "AAPL" not in broker.working_symbols()


def test_a_cancelled_partly_filled_bracket_entry_protects_what_it_bought() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D("0.5")))
    _bracket(broker)  # 10 units, stop 95, target 110
    assert [f.quantity for f in broker.fills_on(bar(1, 100, 101, 99, 100, volume=8))] == [D(4)]
    broker.cancel("entry")
    for child in ("entry-sl", "entry-tp"):
        armed = broker.lookup(child)
        assert armed is not None and armed.status is OrderStatus.ACCEPTED
        assert armed.quantity == D(4)
    fills = broker.fills_on(bar(2, 96, 97, 90, 92, volume=1e6))
    assert [(f.client_order_id, f.quantity) for f in fills] == [("entry-sl", D(4))]


def test_a_partly_filled_bracket_leg_leaves_its_sibling_only_the_rest() -> None:
    broker = PaperBroker(volume=VolumeShare(limit=D("0.5")))
    _bracket(broker)
    broker.fills_on(bar(1, 100, 101, 99, 100, volume=1e6))  # the entry fills whole
    stop = broker.fills_on(bar(2, 96, 97, 90, 92, volume=6))  # the stop sells 3 of 10
    assert [(f.client_order_id, f.quantity) for f in stop] == [("entry-sl", D(3))]
    target = broker.lookup("entry-tp")
    assert target is not None and target.quantity == D(7)
    sold = stop + broker.fills_on(bar(3, 105, 112, 104, 111, volume=1e6))
    assert sum(f.quantity for f in sold) == D(10)  # never more than the position
