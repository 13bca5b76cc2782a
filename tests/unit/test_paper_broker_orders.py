"""The paper broker's order types, brackets and cash check, bar by bar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.adapters.paper import PaperBroker
from tradebot.adapters.paper.bar_open import SessionOpens
from tradebot.adapters.paper.broker import child_ids
from tradebot.domain import Bar
from tradebot.domain.bracket import bracket_children
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, Timeframe
from tradebot.domain.messages import Order

T0 = datetime(2024, 1, 2, 21, tzinfo=UTC)
D = Decimal


def bar(day: int, o: float, h: float, low: float, c: float) -> Bar:
    return Bar("AAPL", Timeframe.D1, T0 + timedelta(days=day), o, h, low, c, 1e6)


def order(
    side: OrderSide,
    type_: OrderType = OrderType.MARKET,
    *,
    limit: str | None = None,
    stop: str | None = None,
    qty: str = "10",
    coid: str = "o1",
) -> Order:
    return Order(
        client_order_id=coid,
        decision_id="d1",
        symbol="AAPL",
        side=side,
        type=type_,
        quantity=D(qty),
        limit_price=None if limit is None else D(limit),
        stop_price=None if stop is None else D(stop),
        created_at=T0,
    )


BUY, SELL = OrderSide.BUY, OrderSide.SELL


def fill_price(broker: PaperBroker, o: Order, b: Bar) -> Decimal | None:
    assert broker.submit(o).status is OrderStatus.ACCEPTED
    fills = broker.fills_on(b)
    return fills[0].price if fills else None


@pytest.mark.parametrize(
    ("o", "b", "expected"),
    [
        # limit buy: touched -> the limit; gap below -> the open; never touched -> none
        (order(BUY, OrderType.LIMIT, limit="99"), bar(1, 100, 101, 98, 100), D("99")),
        (order(BUY, OrderType.LIMIT, limit="99"), bar(1, 97, 98, 96, 97), D("97")),
        (order(BUY, OrderType.LIMIT, limit="99"), bar(1, 100, 101, 99.5, 100), None),
        # limit sell mirrors it
        (order(SELL, OrderType.LIMIT, limit="105"), bar(1, 100, 106, 99, 100), D("105")),
        (order(SELL, OrderType.LIMIT, limit="105"), bar(1, 107, 108, 106, 107), D("107")),
        (order(SELL, OrderType.LIMIT, limit="105"), bar(1, 100, 104, 99, 100), None),
        # stop buy: touched -> the stop; gap above -> the open
        (order(BUY, OrderType.STOP, stop="102"), bar(1, 100, 103, 99, 100), D("102")),
        (order(BUY, OrderType.STOP, stop="102"), bar(1, 104, 105, 103, 104), D("104")),
        (order(BUY, OrderType.STOP, stop="102"), bar(1, 100, 101, 99, 100), None),
        # stop sell: touched -> the stop; gap below -> the open
        (order(SELL, OrderType.STOP, stop="95"), bar(1, 100, 101, 94, 96), D("95")),
        (order(SELL, OrderType.STOP, stop="95"), bar(1, 90, 92, 89, 91), D("90")),
        (order(SELL, OrderType.STOP, stop="95"), bar(1, 100, 101, 96, 97), None),
        # stop-limit buy: trigger within the limit fills at the trigger price
        (
            order(BUY, OrderType.STOP_LIMIT, stop="102", limit="103"),
            bar(1, 100, 104, 99, 101),
            D("102"),
        ),
        # ...a gap past the limit triggers but does not fill on that bar
        (
            order(BUY, OrderType.STOP_LIMIT, stop="102", limit="103"),
            bar(1, 105, 106, 101, 104),
            None,
        ),
        (
            order(SELL, OrderType.STOP_LIMIT, stop="95", limit="94"),
            bar(1, 100, 101, 93, 96),
            D("95"),
        ),
        (order(SELL, OrderType.STOP_LIMIT, stop="95", limit="94"), bar(1, 92, 96, 91, 93), None),
    ],
)
def test_trigger_and_fill_price(o: Order, b: Bar, expected: Decimal | None) -> None:
    broker = PaperBroker()
    assert fill_price(broker, o, b) == expected
    status = broker.lookup(o.client_order_id)
    assert status is not None
    assert status.status is (OrderStatus.ACCEPTED if expected is None else OrderStatus.FILLED)


def test_slippage_on_market_and_stop_not_on_limit() -> None:
    bps10 = D("0.001")
    b = bar(1, 100, 110, 90, 100)
    assert fill_price(PaperBroker(slippage_bps=D(10)), order(BUY), b) == D(100) * (1 + bps10)
    got = fill_price(PaperBroker(slippage_bps=D(10)), order(SELL, OrderType.STOP, stop="95"), b)
    assert got == D(95) * (1 - bps10)
    got = fill_price(PaperBroker(slippage_bps=D(10)), order(BUY, OrderType.LIMIT, limit="95"), b)
    assert got == D(95)


def test_no_fill_on_the_decision_bar() -> None:
    broker = PaperBroker()
    broker.submit(order(BUY, OrderType.LIMIT, limit="99"))
    assert broker.fills_on(bar(0, 100, 101, 90, 95)) == []  # the bar the order was decided on
    assert broker.fills_on(bar(1, 100, 101, 90, 95))[0].price == D(99)


def test_order_works_across_bars_until_filled() -> None:
    broker = PaperBroker()
    broker.submit(order(BUY, OrderType.LIMIT, limit="95"))
    for day in (1, 2, 3):
        assert broker.fills_on(bar(day, 100, 101, 96, 100)) == []
    fills = broker.fills_on(bar(4, 100, 101, 94, 100))
    assert [(f.price, f.ts) for f in fills] == [(D(95), bar(4, 1, 1, 1, 1).ts)]
    assert broker.fills_on(bar(5, 90, 91, 80, 90)) == []  # filled once, never again


def test_stop_limit_rests_as_limit_after_trigger() -> None:
    broker = PaperBroker()
    broker.submit(order(BUY, OrderType.STOP_LIMIT, stop="102", limit="103"))
    assert broker.fills_on(bar(1, 105, 106, 104, 105)) == []  # triggered, above the limit
    # now a plain limit: the stop need not be touched again
    assert broker.fills_on(bar(2, 104, 104, 100, 101))[0].price == D(103)


def test_cancel_stops_a_working_order() -> None:
    broker = PaperBroker()
    broker.submit(order(BUY, OrderType.LIMIT, limit="95"))
    broker.cancel("o1")
    assert broker.fills_on(bar(1, 90, 91, 80, 90)) == []
    cancelled = broker.lookup("o1")
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED


def test_idempotent_resubmission() -> None:
    broker = PaperBroker()
    first = broker.submit(order(BUY, OrderType.LIMIT, limit="95"))
    again = broker.submit(order(BUY, OrderType.LIMIT, limit="95"))
    assert again == first
    assert len(broker.fills_on(bar(1, 90, 91, 80, 90))) == 1


def test_order_validation_needs_prices_for_its_type() -> None:
    with pytest.raises(ValueError, match="limit_price"):
        order(BUY, OrderType.LIMIT)
    with pytest.raises(ValueError, match="stop_price"):
        order(SELL, OrderType.STOP)
    with pytest.raises(ValueError, match="stop_price"):
        order(SELL, OrderType.STOP_LIMIT, limit="90")


def bracket(broker: PaperBroker, sl: str = "95", tp: str = "110") -> list[Order]:
    entry = order(BUY, coid="entry")
    return broker.submit_bracket(entry, bracket_children(entry, D(sl), D(tp)))


def test_bracket_children_wait_for_the_entry_then_work_from_the_next_bar() -> None:
    broker = PaperBroker()
    entry, sl, tp = bracket(broker)
    assert entry.status is OrderStatus.ACCEPTED
    assert (sl.client_order_id, tp.client_order_id) == ("entry-sl", "entry-tp")
    assert (sl.status, tp.status) == (OrderStatus.NEW, OrderStatus.NEW)
    # the entry fills on bar 1; the bar also reaches the stop, but the children are not live yet
    fills = broker.fills_on(bar(1, 100, 111, 90, 100))
    assert [f.client_order_id for f in fills] == ["entry"]
    live = broker.lookup("entry-sl")
    assert live is not None and live.status is OrderStatus.ACCEPTED and live.quantity == D(10)


def test_bracket_take_profit_cancels_stop() -> None:
    broker = PaperBroker()
    bracket(broker)
    broker.fills_on(bar(1, 100, 101, 99, 100))
    fills = broker.fills_on(bar(2, 105, 112, 104, 111))
    assert [(f.client_order_id, f.price, f.side) for f in fills] == [("entry-tp", D(110), SELL)]
    stop = broker.lookup("entry-sl")
    assert stop is not None and stop.status is OrderStatus.CANCELLED
    assert broker.fills_on(bar(3, 90, 91, 80, 85)) == []


def test_bracket_stop_cancels_take_profit() -> None:
    broker = PaperBroker()
    bracket(broker)
    broker.fills_on(bar(1, 100, 101, 99, 100))
    fills = broker.fills_on(bar(2, 93, 94, 90, 92))  # gapped through the stop: the open
    assert [(f.client_order_id, f.price) for f in fills] == [("entry-sl", D(93))]
    target = broker.lookup("entry-tp")
    assert target is not None and target.status is OrderStatus.CANCELLED


@pytest.mark.parametrize(("stop_first", "winner"), [(True, "entry-sl"), (False, "entry-tp")])
def test_bracket_both_levels_in_one_bar(stop_first: bool, winner: str) -> None:
    broker = PaperBroker(bracket_stop_first=stop_first)
    bracket(broker)
    broker.fills_on(bar(1, 100, 101, 99, 100))
    fills = broker.fills_on(bar(2, 100, 115, 90, 100))
    assert [f.client_order_id for f in fills] == [winner]


def test_bracket_resubmission_and_cancelled_entry() -> None:
    broker = PaperBroker()
    first = bracket(broker)
    assert bracket(broker) == first
    broker.cancel("entry")
    assert [o.status for o in (broker.lookup(i) for i in ("entry", *child_ids("entry"))) if o] == [
        OrderStatus.CANCELLED
    ] * 3


def test_child_ids_fit_forty_chars() -> None:
    sl, tp = child_ids("x" * 40)
    assert len(sl) == len(tp) == 40 and sl != tp


def test_insufficient_cash_rejects_with_the_shortfall() -> None:
    broker = PaperBroker(initial_cash=D(1000), commission_min=D(1))
    broker.submit(order(BUY, qty="10"))
    assert broker.fills_on(bar(1, 100, 101, 99, 100)) == []
    rejected = broker.lookup("o1")
    assert rejected is not None and rejected.status is OrderStatus.REJECTED
    assert "insufficient cash" in rejected.reason and "short by 1" in rejected.reason


def test_cash_counts_buys_earlier_in_the_same_bar() -> None:
    broker = PaperBroker(initial_cash=D(1500))
    broker.submit(order(BUY, qty="10", coid="a"))
    broker.submit(order(BUY, qty="10", coid="b"))
    fills = broker.fills_on(bar(1, 100, 101, 99, 100))
    assert [f.client_order_id for f in fills] == ["a"]
    b = broker.lookup("b")
    assert b is not None and b.status is OrderStatus.REJECTED


def test_sells_need_shares_not_cash_unless_short_selling_is_on() -> None:
    broker = PaperBroker(initial_cash=D(0))
    broker.submit(order(SELL))
    assert broker.fills_on(bar(1, 100, 101, 99, 100)) == []
    (refused,) = broker.order_updates()
    assert refused.status is OrderStatus.REJECTED and "insufficient shares" in refused.reason
    lender = PaperBroker(initial_cash=D(0), allow_short=True)
    lender.submit(order(SELL))
    assert len(lender.fills_on(bar(1, 100, 101, 99, 100))) == 1
    assert lender.account.holdings == {"AAPL": D(-10)} and lender.account.cash == D(1000)
    broker = PaperBroker(initial_cash=D(1000))
    broker.submit(order(BUY))
    assert len(broker.fills_on(bar(1, 100, 101, 99, 100))) == 1


def test_venue_rejections_and_oco_cancels_come_out_as_order_updates() -> None:
    broker = PaperBroker(initial_cash=D(500))
    broker.submit(order(BUY, qty="10"))
    broker.fills_on(bar(1, 100, 101, 99, 100))
    (rejected,) = broker.order_updates()
    assert rejected.client_order_id == "o1" and rejected.status is OrderStatus.REJECTED
    assert broker.order_updates() == []  # drained once
    broker = PaperBroker()
    bracket(broker)
    broker.fills_on(bar(1, 100, 101, 99, 100))  # the entry fills, children go live
    broker.fills_on(bar(2, 100, 101, 90, 95))  # the stop fills; its sibling is cancelled
    assert [(o.client_order_id, o.status) for o in broker.order_updates()] == [
        ("entry-tp", OrderStatus.CANCELLED)
    ]


def test_a_notional_that_buys_nothing_is_rejected_not_filled_with_zero() -> None:
    broker = PaperBroker(commission_rate=D("0.001"))
    tiny = order(BUY).evolve(quantity=None, notional=D("1e-13"))
    broker.submit(tiny)
    assert broker.fills_on(bar(1, 100, 101, 99, 100)) == []
    (update,) = broker.order_updates()
    assert update.status is OrderStatus.REJECTED and "buys no unit" in update.reason


def test_the_venue_account_follows_its_fills() -> None:
    broker = PaperBroker(initial_cash=D(2000), commission_rate=D("0.01"))
    broker.submit(order(BUY, qty="10", coid="b"))
    broker.fills_on(bar(1, 100, 101, 99, 100))
    assert broker.account.cash == D(2000) - D(1000) - D(10)
    broker.submit(order(SELL, qty="4", coid="s").evolve(created_at=T0 + timedelta(days=1)))
    broker.fills_on(bar(2, 110, 111, 109, 110))
    assert broker.account.cash == D(990) + D(440) - D("4.4")
    assert broker.account.holdings == {"AAPL": D(6)}


def test_a_held_child_cancelled_before_its_entry_fills_never_works() -> None:
    broker = PaperBroker()
    bracket(broker)
    broker.cancel("entry-sl")
    broker.fills_on(bar(1, 100, 101, 99, 100))  # the entry fills: only the target arms
    assert broker.lookup("entry-sl").status is OrderStatus.CANCELLED  # type: ignore[union-attr]
    assert broker.fills_on(bar(2, 93, 94, 90, 92)) == []


def test_a_bracket_needs_at_least_one_level() -> None:
    entry = order(BUY, coid="entry")
    with pytest.raises(ValueError, match="stop-loss, a take-profit or both"):
        bracket_children(entry, None, None)
    with pytest.raises(ValueError, match="stop-loss, a take-profit or both"):
        PaperBroker().submit_bracket(entry, [])


def test_the_venue_takes_only_protective_children_of_the_entry() -> None:
    entry = order(BUY, coid="entry")
    stop, target = bracket_children(entry, D(95), D(110))
    broker = PaperBroker()
    with pytest.raises(ValueError, match="each once"):
        broker.submit_bracket(entry, [stop, stop])
    with pytest.raises(ValueError, match="not a protective child"):
        broker.submit_bracket(entry, [stop.evolve(side=BUY)])
    with pytest.raises(ValueError, match="not a protective child"):
        broker.submit_bracket(entry, [order(SELL, coid="other")])
    assert broker.lookup("entry") is None  # nothing of a refused bracket is held
    # the children are taken as given (ids and levels), target first or stop first
    sent = broker.submit_bracket(entry, [target, stop])
    assert [o.client_order_id for o in sent] == ["entry", "entry-tp", "entry-sl"]
    assert [o.status for o in sent[1:]] == [OrderStatus.NEW, OrderStatus.NEW]


OPEN_1 = datetime(2024, 1, 3, 14, 30, tzinfo=UTC)  # 9:30 New York: bar 1's session opened


@pytest.mark.parametrize(
    ("o", "b", "at_open"),
    [
        (order(BUY), bar(1, 100, 101, 99, 100), True),
        (order(BUY, OrderType.LIMIT, limit="99"), bar(1, 100, 101, 98, 100), False),  # inside
        (order(BUY, OrderType.LIMIT, limit="99"), bar(1, 97, 98, 96, 97), True),  # gapped
        (order(SELL, OrderType.STOP, stop="95"), bar(1, 100, 101, 94, 96), False),
        (order(SELL, OrderType.STOP, stop="95"), bar(1, 90, 92, 89, 91), True),
        (
            order(BUY, OrderType.STOP_LIMIT, stop="102", limit="103"),
            bar(1, 100, 104, 99, 101),
            False,
        ),
    ],
)
def test_a_fill_is_stamped_with_when_it_happened(o: Order, b: Bar, at_open: bool) -> None:
    """At the open: the session's open. Inside the bar, whose path a daily bar does not
    give: its close, the first moment the fill is known to have happened."""
    broker = PaperBroker()
    broker.submit(o)
    (fill,) = broker.fills_on(b)
    assert fill.ts == (OPEN_1 if at_open else b.ts)
    assert o.created_at < fill.ts <= b.ts  # after the decision's close, by the bar's own


def test_the_xnys_open_rule_agrees_with_exchange_calendars_session_by_session() -> None:
    """SessionOpens finds an XNYS bar's open without the calendar; the library agrees for
    every session from 1990 to 2030."""
    import warnings

    import exchange_calendars as xcals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schedule = xcals.get_calendar("XNYS", start="1990-01-01", end="2030-12-31").schedule
    opens = SessionOpens()
    for opened, closed in zip(schedule["open"], schedule["close"], strict=True):
        daily = Bar("A", Timeframe.D1, closed.to_pydatetime(), 1, 1, 1, 1, 1)
        assert opens(daily) == opened.to_pydatetime()


def test_the_open_of_a_bar_follows_its_timeframe_and_its_exchange_session() -> None:
    opens = SessionOpens()
    assert opens(bar(1, 1, 1, 1, 1)) == OPEN_1
    early = datetime(2024, 7, 3, 17, tzinfo=UTC)  # 13:00 New York: an early close
    assert opens(Bar("A", Timeframe.D1, early, 1, 1, 1, 1, 1)) == datetime(
        2024, 7, 3, 13, 30, tzinfo=UTC
    )
    minute = datetime(2024, 1, 3, 14, 31, tzinfo=UTC)
    assert opens(Bar("A", Timeframe.M1, minute, 1, 1, 1, 1, 1)) == minute - timedelta(minutes=1)
    assert opens(Bar("A", Timeframe.H1, minute, 1, 1, 1, 1, 1)) == minute - timedelta(hours=1)
    # a 24/7 day (labelled 00:00 UTC), a weekend row, or no calendar: the 24 hours before
    for ts in (datetime(2024, 1, 4, tzinfo=UTC), datetime(2024, 1, 6, 21, tzinfo=UTC)):
        assert opens(Bar("A", Timeframe.D1, ts, 1, 1, 1, 1, 1)) == ts - timedelta(days=1)
    assert SessionOpens(None)(bar(1, 1, 1, 1, 1)) == bar(1, 1, 1, 1, 1).ts - timedelta(days=1)
