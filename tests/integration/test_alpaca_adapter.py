"""The Alpaca adapter against the fake venue (``tradebot.testing.alpaca``): the real,
unpatched alpaca-py on 127.0.0.1, reaching the fake through its URL overrides."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.adapters.alpaca import (
    AlpacaBarFeed,
    AlpacaBroker,
    AlpacaCredentials,
    AlpacaNews,
    AlpacaTradeUpdates,
    data_client,
    trading_client,
)
from tradebot.adapters.clock import monotonic
from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, ReportKind, Timeframe
from tradebot.domain.errors import BrokerError, InvalidOrderError, UnknownSymbolError
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Article, Order
from tradebot.testing.alpaca import AlpacaVenue

KEY, SECRET = "PKTEST", "test-secret"
T0 = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


class Sink:
    """An EventSink that keeps what it hears (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.bars: list[Bar] = []
        self.reports: list[ExecutionReport] = []
        self.articles: list[Article] = []
        self.statuses: list[tuple[str, bool, str]] = []

    def bar(self, bar: Bar) -> None:
        with self._lock:
            self.bars.append(bar)

    def report(self, report: ExecutionReport) -> None:
        with self._lock:
            self.reports.append(report)

    def article(self, article: Article) -> None:
        with self._lock:
            self.articles.append(article)

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        with self._lock:
            self.statuses.append((source, connected, detail))

    def fills(self) -> dict[str, ExecutionReport]:
        """Fill reports deduplicated by trade id (what the order state machine keeps)."""
        with self._lock:
            return {r.trade_id: r for r in self.reports if r.is_fill and r.trade_id}


def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        assert monotonic() < deadline, "condition not met in time"
        pause.wait(0.02)


def bar(symbol: str, minute: int, price: float = 100.0) -> Bar:
    return Bar(
        symbol,
        Timeframe.M1,
        T0 + timedelta(minutes=minute),
        price,
        price + 1,
        price - 1,
        price + 0.5,
        1000.0,
    )


def order(coid: str, quantity: str = "10", **changes: object) -> Order:
    fields: dict[str, object] = {
        "client_order_id": coid,
        "decision_id": f"d-{coid}",
        "symbol": "AAPL",
        "side": OrderSide.BUY,
        "quantity": Decimal(quantity),
        "created_at": T0,
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


@pytest.fixture
def venue() -> Iterator[AlpacaVenue]:
    with AlpacaVenue(key_id=KEY, secret_key=SECRET, max_page_size=3) as started:
        yield started


@pytest.fixture
def creds() -> AlpacaCredentials:
    return AlpacaCredentials.of(KEY, SECRET)


@pytest.fixture
def broker(venue: AlpacaVenue, creds: AlpacaCredentials) -> AlpacaBroker:
    return AlpacaBroker(trading_client(creds, venue.base_url))


@pytest.fixture
def updates(
    venue: AlpacaVenue, creds: AlpacaCredentials, broker: AlpacaBroker
) -> Iterator[tuple[AlpacaTradeUpdates, Sink]]:
    sink = Sink()
    stream = AlpacaTradeUpdates(creds, broker.fills_since, url=venue.trading_stream_url)
    stream.start(sink)
    until(lambda: any(s[1] for s in sink.statuses))
    try:
        yield stream, sink
    finally:
        stream.stop()


def test_a_market_order_fills_on_the_next_bar_and_is_reported(
    venue: AlpacaVenue, broker: AlpacaBroker, updates: tuple[AlpacaTradeUpdates, Sink]
) -> None:
    _, sink = updates
    answer = broker.submit(order("tb-fill-0"))
    assert answer.status in (OrderStatus.ACCEPTED, OrderStatus.SUBMITTED)
    assert answer.broker_order_id
    venue.publish_bar(bar("AAPL", 1, 187.25))
    until(lambda: any(r.kind is ReportKind.FILLED for r in sink.reports))
    (fill,) = sink.fills().values()
    assert fill.client_order_id == "tb-fill-0"
    assert (fill.quantity, fill.price, fill.commission) == (
        Decimal(10),
        Decimal("187.25"),
        Decimal(0),
    )
    assert fill.side is OrderSide.BUY
    found = broker.lookup("tb-fill-0")
    assert found is not None
    assert found.status is OrderStatus.FILLED
    assert broker.positions() == {"AAPL": Decimal(10)}
    account = broker.account()
    assert account["cash"] == Decimal(100_000) - Decimal("1872.50")
    assert broker.fills_since(T0)[0].trade_id == fill.trade_id


def test_a_504_after_accept_returns_the_one_order_it_made(
    venue: AlpacaVenue, broker: AlpacaBroker
) -> None:
    venue.faults.submit_504_after_accept = 1
    answer = broker.submit(order("tb-504-0"))
    assert answer.client_order_id == "tb-504-0"
    assert answer.status is OrderStatus.ACCEPTED
    assert venue.submits() == 2  # alpaca-py's retry met "client_order_id must be unique"
    assert [o["client_order_id"] for o in venue.orders()] == ["tb-504-0"]


def test_a_429_is_retried_once_with_the_same_client_id(
    venue: AlpacaVenue, broker: AlpacaBroker
) -> None:
    venue.faults.submit_429 = 1
    answer = broker.submit(order("tb-429-0"))
    assert answer.status is OrderStatus.ACCEPTED
    assert [o["client_order_id"] for o in venue.orders()] == ["tb-429-0"]


def test_a_refusal_is_an_invalid_order_and_an_unknown_order_is_none(
    venue: AlpacaVenue, broker: AlpacaBroker
) -> None:
    with pytest.raises(InvalidOrderError, match="tb-bad-0") as caught:
        broker.submit(order("tb-bad-0", symbol="ZZZZ"))
    assert "not found" in caught.value.message  # Alpaca's own words
    assert broker.lookup("tb-bad-0") is None
    assert venue.orders() == []


def test_a_fill_lost_with_the_stream_arrives_through_the_gap_fill(
    venue: AlpacaVenue, broker: AlpacaBroker, updates: tuple[AlpacaTradeUpdates, Sink]
) -> None:
    _, sink = updates
    venue.faults.partial_fills = True
    venue.faults.drop_stream_mid_fill = 1
    broker.submit(order("tb-gap-0"))
    venue.publish_bar(bar("AAPL", 1, 50.0))
    until(lambda: sum(f.quantity or 0 for f in sink.fills().values()) == 10)
    fills = sink.fills()
    assert len(fills) == 2  # the partial and the rest, each trade id once after dedupe
    assert {f.client_order_id for f in fills.values()} == {"tb-gap-0"}
    assert any(not s[1] for s in sink.statuses)  # the drop was said
    assert sink.statuses[-1][1]  # and the return


def test_cancel_and_open_orders(venue: AlpacaVenue, broker: AlpacaBroker) -> None:
    working = order("tb-lim-0", type=OrderType.LIMIT, limit_price=Decimal("10.005"))
    assert broker.submit(working).status is OrderStatus.ACCEPTED
    assert [o.client_order_id for o in broker.open_orders()] == ["tb-lim-0"]
    (held,) = venue.orders()
    assert held["limit_price"] == "10"  # a buy's limit rounded down to the cent
    after = broker.cancel("tb-lim-0")
    assert after is not None
    assert after.status in (OrderStatus.CANCELLED, OrderStatus.PENDING_CANCEL)
    assert broker.cancel("tb-none-0") is None


def test_instruments_from_assets(broker: AlpacaBroker) -> None:
    found = broker.instruments(["AAPL", "MSFT"])
    assert set(found) == {"AAPL", "MSFT"}
    assert found["AAPL"].tick_size == Decimal("0.01")
    with pytest.raises(UnknownSymbolError, match="NOPE1, NOPE2"):
        broker.instruments(["AAPL", "NOPE2", "NOPE1"])


def test_wrong_keys_are_one_line_without_the_secret(venue: AlpacaVenue) -> None:
    wrong = AlpacaBroker(
        trading_client(AlpacaCredentials.of(KEY, "not-the-secret"), venue.base_url)
    )
    with pytest.raises(BrokerError) as caught:
        wrong.account()
    line = caught.value.one_line()
    assert "API keys" in line
    assert "\n" not in line
    assert "not-the-secret" not in line


def test_history_pages_and_stamps_bars_at_their_close(
    venue: AlpacaVenue, creds: AlpacaCredentials
) -> None:
    venue.add_history([bar(s, m) for m in range(1, 9) for s in ("AAPL", "MSFT")])
    feed = AlpacaBarFeed(creds, data_client(creds, venue.base_url), ["AAPL", "MSFT"])
    got = feed.history(["AAPL", "MSFT"], T0 + timedelta(minutes=2), T0 + timedelta(minutes=7))
    assert [(b.ts, b.symbol) for b in got] == [
        (T0 + timedelta(minutes=m), s) for m in range(2, 7) for s in ("AAPL", "MSFT")
    ]  # start <= ts < end, across pages of 3
    assert got[0] == bar("AAPL", 2)


def test_live_bars_and_the_gap_after_a_drop(venue: AlpacaVenue, creds: AlpacaCredentials) -> None:
    sink = Sink()
    feed = AlpacaBarFeed(
        creds, data_client(creds, venue.base_url), ["AAPL"], url=venue.data_stream_url
    )
    feed.start(sink)
    try:
        until(lambda: venue.data_subscribers("AAPL") == 1)
        venue.publish_bar(bar("AAPL", 1))
        until(lambda: len(sink.bars) == 1)
        assert sink.bars == [bar("AAPL", 1)]
        venue.drop_connections()
        for minute in (2, 3, 4):
            venue.publish_bar(bar("AAPL", minute))
        until(lambda: len(sink.bars) == 4)
        until(lambda: venue.data_subscribers("AAPL") == 1)
        venue.publish_bar(bar("AAPL", 5))
        until(lambda: len(sink.bars) == 5)
        assert [b.ts for b in sink.bars] == [T0 + timedelta(minutes=m) for m in range(1, 6)]
    finally:
        feed.stop()


def test_news_items_become_articles(venue: AlpacaVenue, creds: AlpacaCredentials) -> None:
    sink = Sink()
    news = AlpacaNews(creds, url=venue.news_stream_url)
    news.start(sink)
    try:
        until(lambda: any(s == ("alpaca-news", True, "connected") for s in sink.statuses))
        until_published = T0 + timedelta(minutes=3)
        venue.publish_news(
            "Apple beats", ["AAPL"], summary="Revenue rose.", created_at=until_published
        )
        until(lambda: len(sink.articles) == 1)
        (article,) = sink.articles
        assert (article.title, article.body, article.symbols_hint) == (
            "Apple beats",
            "Revenue rose.",
            ("AAPL",),
        )
        assert article.published_at == until_published
    finally:
        news.stop()


def test_a_stream_with_wrong_keys_says_so(venue: AlpacaVenue, broker: AlpacaBroker) -> None:
    sink = Sink()
    stream = AlpacaTradeUpdates(
        AlpacaCredentials.of(KEY, "wrong-secret"), broker.fills_since, url=venue.trading_stream_url
    )
    stream.start(sink)
    try:
        until(lambda: any(not s[1] and "connect failed" in s[2] for s in sink.statuses))
        assert all("wrong-secret" not in s[2] for s in sink.statuses)
    finally:
        stream.stop()
