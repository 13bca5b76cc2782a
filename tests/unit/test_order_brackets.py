"""The order manager sends brackets, tracks their children apart from open orders, gives
child fills their entry's context, frees a position's children before closing it, sends
later legs of a decision, and re-sends recorded orders to a fresh venue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tradebot.adapters.paper.broker import PaperBroker
from tradebot.domain import Bar, Timeframe
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Fill, Order, TradingDecision
from tradebot.engine import MemoryBus
from tradebot.engine.ids import client_order_id
from tradebot.engine.order_manager import OrderManager
from tradebot.ports import Broker
from tradebot.testing import MemoryStore

D = Decimal
T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)


def _bar(i: int, o: float, h: float, lo: float, c: float) -> Bar:
    return Bar("KO", Timeframe.D1, T0 + timedelta(days=i), o, h, lo, c, 1e6)


def _decision(
    did: str, side: OrderSide, qty: str, *, i: int = 0, sl: str | None = None, tp: str | None = None
) -> TradingDecision:
    return TradingDecision(
        id=did,
        signal_id="sig-" + did.removeprefix("dec-"),
        ts=T0 + timedelta(days=i),
        symbol="KO",
        action=DecisionAction.ACT,
        side=side,
        quantity=D(qty),
        reference_price=D(100),
        reason="test",
        strategies=("macd",),
        stop_loss=None if sl is None else D(sl),
        take_profit=None if tp is None else D(tp),
    )


class _Desk:
    """An order manager on a venue, with the kernel's routing of fills and venue updates."""

    def __init__(self, broker: Broker | None = None) -> None:
        self.broker = broker or PaperBroker()
        self.store = MemoryStore()
        self.om = OrderManager(run_id="r", broker=self.broker, store=self.store, bus=MemoryBus())
        self.fills: list[Fill] = []

    def bar(self, bar: Bar) -> list[Fill]:
        """The venue's reports of ``bar`` applied, as the execution stage does; its fills."""
        fills = []
        for report in self.broker.on_bar(bar):
            self.om.on_report(report)
            if report.is_fill:
                fills.append(self.store.fills[report.trade_id or ""])
        self.fills.extend(fills)
        return fills

    def status(self, coid: str) -> OrderStatus:
        return self.store.orders[coid].status


def test_an_entry_with_stops_goes_out_as_a_bracket_whose_children_are_not_open_orders() -> None:
    desk = _Desk()
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95", tp="110"))
    coid = client_order_id("dec-a")
    assert [o.client_order_id for o in desk.om.open_orders()] == [coid]
    held = desk.om.protective_orders("KO")
    assert {o.client_order_id for o in held} == {coid + "-sl", coid + "-tp"}
    assert {o.status for o in held} == {OrderStatus.NEW}
    assert desk.om.open_count("KO") == 1 and desk.om.reserved_cash() == D(1000)
    desk.bar(_bar(1, 100, 101, 99, 100))  # the entry fills, the children start working
    assert desk.om.open_orders() == []
    assert {o.status for o in desk.om.protective_orders("KO")} == {OrderStatus.ACCEPTED}
    assert desk.status(coid + "-sl") is OrderStatus.ACCEPTED
    fills = desk.bar(_bar(2, 96, 97, 90, 92))  # through the stop
    assert [(f.client_order_id, f.price) for f in fills] == [(coid + "-sl", D(95))]
    assert desk.om.context(coid + "-sl") == ("dec-a", ("macd",))  # the entry's context
    assert desk.status(coid + "-sl") is OrderStatus.FILLED
    assert desk.status(coid + "-tp") is OrderStatus.CANCELLED  # the venue's OCO, recorded
    assert desk.om.protective_orders() == []


def test_closing_a_position_cancels_its_working_children_first() -> None:
    desk = _Desk()
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95", tp="110"))
    desk.bar(_bar(1, 100, 101, 99, 100))
    desk.om.on_decision(_decision("dec-x", OrderSide.SELL, "10", i=1))
    coid = client_order_id("dec-a")
    assert desk.status(coid + "-sl") is OrderStatus.CANCELLED
    assert "dec-x closes the position" in desk.store.orders[coid + "-sl"].reason
    assert desk.status(coid + "-tp") is OrderStatus.CANCELLED
    # a bar through both levels: only the exit fills, the venue closes the position once
    fills = desk.bar(_bar(2, 99, 115, 80, 100))
    assert [f.client_order_id for f in fills] == [client_order_id("dec-x")]


def test_an_entry_leg_keeps_the_earlier_children_and_brings_its_own() -> None:
    desk = _Desk()
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95", tp="110"))
    desk.bar(_bar(1, 100, 101, 99, 100))
    leg = desk.om.submit_leg("dec-a", 1, D(5), T0 + timedelta(days=1), "tranche 2", (D(96), D(111)))
    assert leg is not None and leg.client_order_id == client_order_id("dec-a", 1)
    again = desk.om.submit_leg("dec-a", 1, D(5), T0 + timedelta(days=1), "tranche 2")
    assert again is not None and again.client_order_id == leg.client_order_id
    assert sum(1 for o in desk.store.orders if o.startswith(leg.client_order_id)) == 3
    assert {o.side for o in desk.om.protective_orders()} == {OrderSide.SELL}
    assert desk.om.submit_leg("dec-none", 1, D(5), T0, "orphan") is None
    desk.bar(_bar(2, 100, 101, 99, 100))
    assert desk.om.context(leg.client_order_id) == ("dec-a", ("macd",))
    assert len(desk.om.protective_orders()) == 4  # two working pairs


class _PlainVenue:
    """A broker without brackets (the Broker port only)."""

    def __init__(self) -> None:
        self._venue = PaperBroker()

    def submit(self, order: Order) -> Order:
        return self._venue.submit(order)

    def cancel(self, client_order_id: str) -> Order | None:
        return self._venue.cancel(client_order_id)

    def lookup(self, client_order_id: str) -> Order | None:
        return self._venue.lookup(client_order_id)

    def on_bar(self, bar: Bar) -> Sequence[ExecutionReport]:
        return self._venue.on_bar(bar)


def test_without_brackets_at_the_venue_the_entry_goes_out_plain() -> None:
    desk = _Desk(_PlainVenue())
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95", tp="110"))
    assert list(desk.store.orders) == [client_order_id("dec-a")]
    assert desk.om.protective_orders() == []


def test_a_recorded_order_is_sent_again_to_a_fresh_venue_with_its_bracket() -> None:
    first = _Desk()
    first.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95", tp="110"))
    recorded = first.store.orders[client_order_id("dec-a")]
    fresh = _Desk()
    fresh.om.restore(recorded, ("macd",), D(100), (D(95), D(110)))
    fresh.om.restore(recorded, ("macd",), D(100), (D(95), D(110)))  # known: left alone
    assert fresh.store.orders.keys() == first.store.orders.keys()
    assert [f.price for f in fresh.bar(_bar(1, 100, 101, 99, 100))] == [D(100)]
    assert fresh.om.context(client_order_id("dec-a")) == ("dec-a", ("macd",))


def test_a_stop_loss_alone_still_protects_the_entry() -> None:
    desk = _Desk()
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", sl="95"))
    coid = client_order_id("dec-a")
    assert [o.client_order_id for o in desk.om.protective_orders("KO")] == [coid + "-sl"]
    desk.bar(_bar(1, 100, 101, 99, 100))
    fills = desk.bar(_bar(2, 96, 120, 90, 92))  # through the stop; no target to take
    assert [(f.client_order_id, f.price) for f in fills] == [(coid + "-sl", D(95))]
    assert desk.status(coid + "-sl") is OrderStatus.FILLED


def test_a_take_profit_alone_goes_out_as_a_one_legged_bracket() -> None:
    desk = _Desk()
    desk.om.on_decision(_decision("dec-a", OrderSide.BUY, "10", tp="110"))
    coid = client_order_id("dec-a")
    desk.bar(_bar(1, 100, 101, 99, 100))
    assert desk.bar(_bar(2, 96, 97, 80, 90)) == []  # no stop to hit
    fills = desk.bar(_bar(3, 105, 112, 104, 111))
    assert [(f.client_order_id, f.price) for f in fills] == [(coid + "-tp", D(110))]
