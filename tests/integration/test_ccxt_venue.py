"""The CCXT adapters against the fake Binance spot venue, through the real ccxt client.

The client reaches the fake on 127.0.0.1 through its own ``urls['api']`` override; nothing
is patched, so signing, parsing and ccxt's error mapping are the real ones.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.adapters.ccxt import CcxtBarFeed, CcxtBroker, CcxtOrderReports
from tradebot.adapters.clock import monotonic, utc_now
from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, ReportKind, Timeframe
from tradebot.domain.errors import ConfigError, InvalidOrderError, TemporaryBrokerError
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Article, Order
from tradebot.testing.binance import BinanceVenue

SYMBOL, VENUE_SYMBOL = "BTC/USDT", "BTCUSDT"
T0 = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)


class Sink:
    """An EventSink that collects what the adapters push."""

    def __init__(self) -> None:
        self.bars: queue.Queue[Bar] = queue.Queue()
        self.reports: list[ExecutionReport] = []
        self.status: list[tuple[str, bool, str]] = []
        self._lock = threading.Lock()

    def bar(self, bar: Bar) -> None:
        self.bars.put(bar)

    def report(self, report: ExecutionReport) -> None:
        with self._lock:
            self.reports.append(report)

    def article(self, article: Article) -> None:
        raise AssertionError("no articles here")

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        with self._lock:
            self.status.append((source, connected, detail))


def poll(predicate: object, timeout: float = 10.0) -> bool:
    deadline = monotonic() + timeout
    event = threading.Event()
    while not predicate():  # type: ignore[operator]
        if monotonic() > deadline:
            return False
        event.wait(0.02)
    return True


def bar(ts: datetime, price: float = 100.0) -> Bar:
    return Bar(VENUE_SYMBOL, Timeframe.M1, ts, price, price + 1, price - 1, price + 0.5, 3.0)


def order(n: int, *, side: OrderSide = OrderSide.BUY, limit: str | None = None) -> Order:
    return Order(
        client_order_id=f"tb-3f2a-{n}",
        decision_id=f"d-{n}",
        symbol=SYMBOL,
        side=side,
        type=OrderType.LIMIT if limit else OrderType.MARKET,
        quantity=Decimal("0.1"),
        limit_price=Decimal(limit) if limit else None,
        created_at=T0,
    )


@pytest.fixture
def venue() -> Iterator[BinanceVenue]:
    with BinanceVenue() as running:
        running.publish_kline(VENUE_SYMBOL, bar(T0))
        yield running


def make_broker(venue: BinanceVenue, **kwargs: object) -> CcxtBroker:
    options: dict[str, object] = {"symbols": [SYMBOL], "urls_override": venue.ccxt_urls()}
    options.update(kwargs)
    return CcxtBroker("binance", "test-key", "test-secret", **options)  # type: ignore[arg-type]


@pytest.fixture
def broker(venue: BinanceVenue) -> Iterator[CcxtBroker]:
    made = make_broker(venue)
    yield made
    made.close()


def test_instruments_come_from_the_venue_listing(broker: CcxtBroker) -> None:
    btc = broker.instruments([SYMBOL])[SYMBOL]
    assert btc.tick_size == Decimal("0.01") and btc.lot_size == Decimal("0.00001")
    assert btc.min_notional == Decimal(5) and btc.calendar is None and btc.currency == "USDT"
    with pytest.raises(Exception, match="DOGE/USDT"):
        broker.instruments([SYMBOL, "DOGE/USDT"])


def test_market_order_carries_our_client_id_and_fills_on_the_next_kline(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    placed = broker.submit(order(1))
    assert placed.status is OrderStatus.ACCEPTED and placed.broker_order_id
    assert venue.submits()[0]["newClientOrderId"] == "tb-3f2a-1"
    venue.publish_kline(VENUE_SYMBOL, bar(T0 + timedelta(minutes=1), 101.0))
    fills = broker.fills_since(T0)
    assert [(f.kind, f.client_order_id, f.quantity, f.price) for f in fills] == [
        (ReportKind.FILLED, "tb-3f2a-1", Decimal("0.1"), Decimal("101"))
    ]
    assert fills[0].commission == Decimal("0.0101")  # 0.1 % of 10.10 USDT, in the quote
    looked = broker.lookup("tb-3f2a-1")
    assert looked is not None and looked.status is OrderStatus.FILLED
    assert looked.decision_id == "d-1"
    assert broker.positions() == {"BTC/USDT": Decimal("0.1")}
    assert broker.lookup("tb-never-sent") is None


def test_limit_order_cancel_and_open_orders(venue: BinanceVenue, broker: CcxtBroker) -> None:
    broker.submit(order(2, limit="90.004"))
    assert venue.orders()[0].price == Decimal("90.00")  # price_to_precision
    assert [o.client_order_id for o in broker.open_orders()] == ["tb-3f2a-2"]
    cancelled = broker.cancel("tb-3f2a-2")
    assert cancelled is not None and cancelled.status is OrderStatus.CANCELLED
    assert venue.orders()[0].status == "CANCELED" and broker.open_orders() == []


def test_duplicate_client_id_answers_with_the_order_the_venue_holds(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    first = broker.submit(order(3, limit="90"))
    again = broker.submit(order(3, limit="90"))
    assert again.broker_order_id == first.broker_order_id
    assert len(venue.orders()) == 1 and len(venue.submits()) == 2


def test_5xx_after_accept_is_outcome_unknown_and_resolved_by_lookup(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    venue.faults.submit_5xx_after_accept = 1
    with pytest.raises(TemporaryBrokerError):
        broker.submit(order(4))
    assert len(venue.orders()) == 1
    found = broker.lookup("tb-3f2a-4")
    assert found is not None and found.status is OrderStatus.ACCEPTED
    assert len(venue.orders()) == 1 and len(venue.submits()) == 1  # never resubmitted


def test_429_is_outcome_unknown_and_books_nothing(venue: BinanceVenue, broker: CcxtBroker) -> None:
    venue.faults.submit_429 = 1
    with pytest.raises(TemporaryBrokerError):
        broker.submit(order(5))
    assert venue.orders() == [] and broker.lookup("tb-3f2a-5") is None


def test_slow_ack_times_out_as_outcome_unknown(venue: BinanceVenue) -> None:
    quick = make_broker(venue, timeout_s=0.5)
    try:
        quick.instruments([SYMBOL])
        venue.faults.ack_delay_s = 2.0
        with pytest.raises(TemporaryBrokerError):
            quick.submit(order(6))
    finally:
        quick.close()
    assert venue.wait_for(lambda: len(venue.orders()) == 1)


def test_refusals_are_invalid_orders(venue: BinanceVenue, broker: CcxtBroker) -> None:
    big = order(7).evolve(quantity=Decimal(5000))
    with pytest.raises(InvalidOrderError, match="insufficient balance"):
        broker.submit(big)
    with pytest.raises(InvalidOrderError, match="NOTIONAL"):
        broker.submit(order(8).evolve(quantity=Decimal("0.001")))
    assert venue.orders() == []


def test_wrong_secret_is_one_config_line_without_the_keys(venue: BinanceVenue) -> None:
    wrong = make_broker(venue)
    wrong.exchange.secret = "not-the-secret"
    try:
        with pytest.raises(ConfigError) as caught:
            wrong.account()
    finally:
        wrong.close()
    line = caught.value.one_line()
    assert "\n" not in line and "-1022" in line
    assert "not-the-secret" not in line and "test-key" not in line and "signature=" not in line


def test_partial_fills_are_two_reports(venue: BinanceVenue, broker: CcxtBroker) -> None:
    venue.faults.partial_fills = True
    broker.submit(order(9))
    venue.publish_kline(VENUE_SYMBOL, bar(T0 + timedelta(minutes=1)))
    venue.publish_kline(VENUE_SYMBOL, bar(T0 + timedelta(minutes=2)))
    kinds = [(f.kind, f.quantity) for f in broker.fills_since(T0)]
    assert kinds == [
        (ReportKind.PARTIALLY_FILLED, Decimal("0.05")),
        (ReportKind.FILLED, Decimal("0.05")),
    ]


def test_report_stream_pushes_fills_once_and_cancels(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    sink = Sink()
    stream = CcxtOrderReports(broker, poll_s=0.05, lookback=timedelta(days=3650))
    broker.submit(order(10))
    broker.submit(order(11, limit="50"))
    stream.start(sink)
    try:
        venue.publish_kline(VENUE_SYMBOL, bar(utc_now().replace(microsecond=0)))
        assert poll(lambda: any(r.is_fill for r in sink.reports))
        venue.orders()  # the limit order works on; cancel it behind the stream's back
        venue.book.cancel(venue.orders()[1], venue.now_ms())
        assert poll(lambda: any(r.kind is ReportKind.CANCELLED for r in sink.reports))
    finally:
        stream.stop()
    fills = [r for r in sink.reports if r.is_fill]
    assert [(r.client_order_id, r.trade_id) for r in fills] == [("tb-3f2a-10", "1")]
    assert ("ccxt-orders", True, "polling") in sink.status


def test_bar_feed_history_and_polling_emit_only_closed_bars(venue: BinanceVenue) -> None:
    now = utc_now().replace(second=0, microsecond=0)
    early = now - timedelta(minutes=10)
    for k in range(3):
        venue.publish_kline(VENUE_SYMBOL, bar(early + timedelta(minutes=k)))
    feed = CcxtBarFeed(
        [SYMBOL], urls_override=venue.ccxt_urls(), poll_s=0.05, since=early - timedelta(minutes=1)
    )
    history = feed.history([SYMBOL], early, now + timedelta(minutes=5))
    assert [b.ts for b in history] == [early + timedelta(minutes=k) for k in range(3)]
    sink = Sink()
    feed.start(sink)
    try:
        got = [sink.bars.get(timeout=10) for _ in range(3)]
        venue.publish_kline(VENUE_SYMBOL, bar(early + timedelta(minutes=3)))
        got.append(sink.bars.get(timeout=10))
    finally:
        feed.stop()
    assert [b.ts for b in got] == [early + timedelta(minutes=k) for k in range(4)]
    assert all(b.symbol == SYMBOL and b.ts <= utc_now() for b in got)
    assert sink.bars.empty()  # the forming candle the venue serves last never came
