"""The fake Alpaca venue against the real, unpatched alpaca-py SDK (URL overrides only).

Each test talks to an ``AlpacaVenue`` on 127.0.0.1 through alpaca-py's own clients (or a
plain websocket client where a test checks the wire shape itself) and polls for outcomes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgpack  # type: ignore[import-untyped]
import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.historical.news import NewsClient
from alpaca.data.live import StockDataStream
from alpaca.data.models import Bar as AlpacaBar
from alpaca.data.requests import NewsRequest, StockBarsRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.client import TradingClient
from alpaca.trading.models import TradeActivity, TradeUpdate
from alpaca.trading.requests import (
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopOrderRequest,
)
from alpaca.trading.stream import TradingStream
from websockets.sync.client import connect

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe
from tradebot.testing.alpaca import AlpacaVenue

KEY, SECRET = "PKTEST", "test-secret"
T0 = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)


def bar(i: int, o: float, h: float, low: float, c: float, symbol: str = "AAPL") -> Bar:
    return Bar(symbol, Timeframe.M1, T0 + timedelta(minutes=i), o, h, low, c, 1000.0)


@pytest.fixture
def venue() -> Iterator[AlpacaVenue]:
    with AlpacaVenue(max_page_size=4) as started:
        yield started


@pytest.fixture
def client(venue: AlpacaVenue) -> TradingClient:
    return TradingClient(KEY, SECRET, paper=True, url_override=venue.base_url)


def market(qty: float, side: str = "buy", cid: str | None = None, **kw: Any) -> MarketOrderRequest:
    return MarketOrderRequest(
        symbol="AAPL", qty=qty, side=side, time_in_force="day", client_order_id=cid, **kw
    )


def status(venue: AlpacaVenue, cid: str) -> str:
    return next(str(o["status"]) for o in venue.orders() if o["client_order_id"] == cid)


class Updates:
    """alpaca-py's TradingStream on its own thread, collecting trade updates."""

    def __init__(self, venue: AlpacaVenue, key: str = KEY) -> None:
        self.venue = venue
        self.stream = TradingStream(key, SECRET, paper=True, url_override=venue.trading_stream_url)
        self.got: list[TradeUpdate] = []

        async def collect(update: TradeUpdate) -> None:
            self.got.append(update)

        self.stream.subscribe_trade_updates(collect)
        self.thread = threading.Thread(target=self.stream.run, daemon=True)

    def __enter__(self) -> Updates:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.venue.wait_for(lambda: self.stream._loop is not None)
        self.stream.stop()
        self.venue.drop_connections()  # wakes the SDK's 5 s receive wait
        self.thread.join(10)
        assert not self.thread.is_alive()

    def events(self) -> list[str]:
        return [str(u.event.value if hasattr(u.event, "value") else u.event) for u in self.got]


# -- REST ----------------------------------------------------------------------------------


def test_account_clock_and_assets(client: TradingClient) -> None:
    account = client.get_account()
    assert (account.cash, account.buying_power, account.status.value) == (
        "100000",
        "100000",
        "ACTIVE",
    )
    clock = client.get_clock()
    assert clock.next_close > clock.timestamp
    assert "AAPL" in {a.symbol for a in client.get_all_assets()}
    asset = client.get_asset("AAPL")
    assert asset.fractionable and asset.tradable and asset.price_increment == 0.01
    with pytest.raises(APIError) as refused:
        client.get_asset("NOPE")
    assert refused.value.status_code == 404


def test_wrong_keys_are_refused(venue: AlpacaVenue) -> None:
    stranger = TradingClient(KEY, "wrong", paper=True, url_override=venue.base_url)
    with pytest.raises(APIError) as refused:
        stranger.get_account()
    assert refused.value.status_code == 401 and refused.value.code == 40110000


def test_limit_order_lookup_replace_and_cancel(venue: AlpacaVenue, client: TradingClient) -> None:
    request = LimitOrderRequest(
        symbol="AAPL",
        qty=3,
        side="buy",
        time_in_force="gtc",
        limit_price=95,
        client_order_id="tb-a",
    )
    placed = client.submit_order(request)
    assert placed.client_order_id == "tb-a" and placed.qty == "3" and placed.limit_price == "95"
    assert client.get_order_by_client_id("tb-a").id == placed.id
    assert client.get_order_by_id(placed.id).status.value == "new"
    assert [o.id for o in client.get_orders()] == [placed.id]

    new = client.replace_order_by_id(
        placed.id, ReplaceOrderRequest(limit_price=94, client_order_id="tb-b")
    )
    assert new.id != placed.id and new.replaces == placed.id and new.limit_price == "94"
    old = client.get_order_by_id(placed.id)
    assert old.status.value == "replaced" and old.replaced_by == new.id

    client.cancel_order_by_id(new.id)
    venue.wait_for(lambda: status(venue, "tb-b") == "canceled")
    with pytest.raises(APIError) as refused:
        client.cancel_order_by_id(new.id)
    assert refused.value.status_code == 422
    with pytest.raises(APIError) as missing:
        client.get_order_by_client_id("never-sent")
    assert missing.value.status_code == 404


def test_market_order_fills_at_the_next_bar_open(venue: AlpacaVenue, client: TradingClient) -> None:
    venue.publish_bar(bar(0, 100, 101, 99, 100.5))  # the bar current when the order arrives
    client.submit_order(market(10, cid="tb-m"))
    assert status(venue, "tb-m") == "new"
    venue.publish_bar(bar(1, 101, 103, 100, 102))
    venue.wait_for(lambda: status(venue, "tb-m") == "filled")
    filled = client.get_order_by_client_id("tb-m")
    assert (filled.filled_qty, Decimal(str(filled.filled_avg_price))) == ("10", Decimal(101))
    assert venue.positions() == {"AAPL": Decimal(10)}
    assert venue.cash() == Decimal(100_000 - 1010)
    position = client.get_open_position("AAPL")
    assert (position.qty, Decimal(position.avg_entry_price)) == ("10", Decimal(101))
    assert Decimal(client.get_account().equity) == Decimal(100_000 - 1010 + 1020)

    closing = client.close_all_positions()
    assert [c.symbol for c in closing] == ["AAPL"]
    venue.publish_bar(bar(2, 104, 105, 103, 104))
    venue.wait_for(lambda: venue.positions() == {})
    assert venue.cash() == Decimal(100_000 - 1010 + 1040)
    with pytest.raises(APIError):
        client.get_open_position("AAPL")


def test_limit_and_stop_levels_and_gaps(venue: AlpacaVenue, client: TradingClient) -> None:
    limit = LimitOrderRequest(
        symbol="AAPL", qty=1, side="buy", time_in_force="day", limit_price=95, client_order_id="L"
    )
    stop = StopOrderRequest(
        symbol="AAPL", qty=1, side="buy", time_in_force="day", stop_price=105, client_order_id="S"
    )
    client.submit_order(limit)
    client.submit_order(stop)
    venue.publish_bar(bar(0, 100, 104, 96, 100))  # neither level reached
    assert (status(venue, "L"), status(venue, "S")) == ("new", "new")
    venue.publish_bar(bar(1, 97, 99, 94, 98))  # reaches 95: fills at the level
    venue.publish_bar(bar(2, 107, 108, 106, 107))  # gaps over 105: fills at the open
    venue.wait_for(lambda: status(venue, "S") == "filled")
    prices = {o["client_order_id"]: o["filled_avg_price"] for o in venue.orders()}
    assert (Decimal(prices["L"]), Decimal(prices["S"])) == (Decimal(95), Decimal(107))


def test_fractional_and_notional_orders(venue: AlpacaVenue, client: TradingClient) -> None:
    client.submit_order(
        MarketOrderRequest(
            symbol="AAPL", notional=1000, side="buy", time_in_force="day", client_order_id="N"
        )
    )
    client.submit_order(market(0.5, cid="F"))
    with pytest.raises(APIError) as refused:
        client.submit_order(
            MarketOrderRequest(symbol="AAPL", qty=0.5, side="buy", time_in_force="gtc")
        )
    assert refused.value.status_code == 422
    venue.publish_bar(bar(0, 80, 81, 79, 80))
    venue.wait_for(lambda: status(venue, "F") == "filled" and status(venue, "N") == "filled")
    assert venue.positions() == {"AAPL": Decimal(13)}  # 1000 / 80 + 0.5
    with AlpacaVenue(fractionable=False) as whole:
        other = TradingClient(KEY, SECRET, paper=True, url_override=whole.base_url)
        with pytest.raises(APIError) as not_fractionable:
            other.submit_order(market(0.5))
        assert "not fractionable" in not_fractionable.value.message


def test_buying_power_and_held_quantity(venue: AlpacaVenue, client: TradingClient) -> None:
    venue.publish_bar(bar(0, 100, 101, 99, 100))
    with pytest.raises(APIError) as poor:
        client.submit_order(market(2000))
    assert (poor.value.status_code, poor.value.message) == (403, "insufficient buying power")
    with pytest.raises(APIError) as short:
        client.submit_order(market(5, side="sell"))
    assert short.value.status_code == 403
    assert short.value.message.startswith("insufficient qty available for order")
    assert venue.orders() == []


def test_duplicate_client_order_id_is_refused(venue: AlpacaVenue, client: TradingClient) -> None:
    client.submit_order(market(1, cid="tb-dup"))
    with pytest.raises(APIError) as refused:
        client.submit_order(market(1, cid="tb-dup"))
    assert (refused.value.status_code, refused.value.code) == (422, 40010001)
    assert refused.value.message == "client_order_id must be unique"
    assert len(venue.orders()) == 1


def test_504_after_accept_ends_in_a_duplicate_refusal_and_one_order(
    venue: AlpacaVenue, client: TradingClient
) -> None:
    """alpaca-py retries a 504 with the same body: the venue already holds the order, so the
    retry is refused as a duplicate and *that* 422 reaches the caller."""
    venue.faults.submit_504_after_accept = 1
    with pytest.raises(APIError) as lost:
        client.submit_order(market(1, cid="tb-504"))
    assert (lost.value.status_code, lost.value.code) == (422, 40010001)
    assert venue.submits() == 2
    assert [o["client_order_id"] for o in venue.orders()] == ["tb-504"]
    assert client.get_order_by_client_id("tb-504").status.value == "new"


def test_429_is_retried_by_the_sdk_and_creates_one_order(
    venue: AlpacaVenue, client: TradingClient
) -> None:
    venue.faults.submit_429 = 1
    placed = client.submit_order(market(1, cid="tb-429"))
    assert placed.client_order_id == "tb-429"
    assert venue.submits() == 2
    assert len(venue.orders()) == 1


# -- trade_updates -------------------------------------------------------------------------


def test_trade_updates_new_then_fill(venue: AlpacaVenue, client: TradingClient) -> None:
    with Updates(venue) as updates:
        venue.wait_for(lambda: venue.trading_listeners() == 1)
        client.submit_order(market(4, cid="tb-s"))
        venue.wait_for(lambda: updates.events() == ["new"])
        venue.publish_bar(bar(0, 50, 51, 49, 50))
        venue.wait_for(lambda: updates.events() == ["new", "fill"])
    fill = updates.got[1]
    assert fill.order.client_order_id == "tb-s" and fill.order.status.value == "filled"
    assert (fill.price, fill.qty, fill.position_qty) == (50.0, 4.0, 4.0)
    assert fill.execution_id is not None


def test_partial_fills_rejects_and_duplicates(venue: AlpacaVenue, client: TradingClient) -> None:
    venue.faults.partial_fills = True
    venue.faults.reject_symbols = {"MSFT"}
    with Updates(venue) as updates:
        venue.wait_for(lambda: venue.trading_listeners() == 1)
        client.submit_order(market(10, cid="tb-p"))
        client.submit_order(
            MarketOrderRequest(symbol="MSFT", qty=1, side="buy", time_in_force="day")
        )
        venue.publish_bar(bar(0, 20, 21, 19, 20))
        venue.wait_for(lambda: len(updates.got) == 4)
        assert updates.events() == ["new", "rejected", "partial_fill", "fill"]
        assert [u.qty for u in updates.got[2:]] == [5.0, 5.0]
        assert updates.got[2].execution_id != updates.got[3].execution_id

        venue.faults.duplicate_events = venue.faults.reorder_events = True
        client.submit_order(market(2, cid="tb-q"))
        venue.publish_bar(bar(1, 20, 21, 19, 20))
        venue.wait_for(lambda: len(updates.got) == 10)
    assert updates.events()[4:] == ["new", "new", "fill", "fill", "partial_fill", "partial_fill"]


def test_stream_auth_failures(venue: AlpacaVenue) -> None:
    with connect(venue.trading_stream_url, open_timeout=5) as ws:
        ws.send(json.dumps({"action": "authenticate", "data": {"key_id": KEY, "secret_key": "x"}}))
        reply = json.loads(ws.recv(timeout=5))
        assert reply == {
            "stream": "authorization",
            "data": {"action": "authenticate", "status": "unauthorized"},
        }
    with connect(venue.data_stream_url, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5)) == [{"T": "success", "msg": "connected"}]
        ws.send(json.dumps({"action": "auth", "key": KEY, "secret": "x"}))
        assert json.loads(ws.recv(timeout=5)) == [{"T": "error", "code": 402, "msg": "auth failed"}]
    with Updates(venue, key="PKWRONG"):
        venue.wait_for(lambda: venue.call(lambda: venue.auth_failures) >= 3)
        assert venue.trading_listeners() == 0


def test_dropped_stream_loses_the_fill_event_not_the_fill(
    venue: AlpacaVenue, client: TradingClient
) -> None:
    venue.faults.partial_fills = True
    venue.faults.drop_stream_mid_fill = 1
    with Updates(venue) as updates:
        venue.wait_for(lambda: venue.trading_listeners() == 1)
        client.submit_order(market(10, cid="tb-d"))
        venue.publish_bar(bar(0, 30, 31, 29, 30))
        venue.wait_for(lambda: status(venue, "tb-d") == "filled")
        venue.wait_for(lambda: venue.trading_listeners() == 1)  # the SDK reconnected
        assert updates.events() == ["new", "partial_fill"]
        fills = client.get(
            "/account/activities/FILL", {"after": (T0 - timedelta(days=1)).isoformat()}
        )
        assert isinstance(fills, list)
        assert [f["type"] for f in fills] == ["fill", "partial_fill"]  # newest first
        assert fills[1]["id"].endswith(str(updates.got[1].execution_id))
        client.submit_order(market(1, cid="tb-e"))
        venue.wait_for(lambda: updates.events()[-1:] == ["new"])


def test_fill_activities_page_by_token(venue: AlpacaVenue, client: TradingClient) -> None:
    for i in range(3):
        client.submit_order(market(1, cid=f"tb-{i}"))
        venue.publish_bar(bar(i, 10 + i, 11 + i, 9 + i, 10 + i))
    venue.wait_for(lambda: all(o["status"] == "filled" for o in venue.orders()))
    first = client.get("/account/activities/FILL", {"direction": "asc", "page_size": 2})
    assert isinstance(first, list) and [f["price"] for f in first] == ["10.00", "11.00"]
    parsed = TradeActivity(**first[0])  # the SDK's own model of a FILL activity
    assert (parsed.qty, parsed.cum_qty, parsed.order_status.value) == (1.0, 1.0, "filled")
    rest = client.get(
        "/account/activities/FILL",
        {"direction": "asc", "page_size": 2, "page_token": first[-1]["id"]},
    )
    assert isinstance(rest, list) and [f["price"] for f in rest] == ["12.00"]


# -- market data ---------------------------------------------------------------------------


def test_bars_arrive_on_the_data_stream(venue: AlpacaVenue) -> None:
    stream = StockDataStream(KEY, SECRET, url_override=venue.data_stream_url)
    got: list[AlpacaBar] = []

    async def collect(received: AlpacaBar) -> None:
        got.append(received)

    stream.subscribe_bars(collect, "AAPL")
    thread = threading.Thread(target=stream.run, daemon=True)
    thread.start()
    try:
        venue.wait_for(lambda: venue.data_subscribers("AAPL") == 1)
        venue.publish_bar(bar(1, 10, 12, 9, 11, symbol="MSFT"))  # not subscribed
        venue.publish_bar(bar(1, 10, 12, 9, 11))
        venue.wait_for(lambda: len(got) == 1)
    finally:
        stream.stop()
        venue.drop_connections()
        thread.join(10)
    assert (got[0].symbol, got[0].open, got[0].close) == ("AAPL", 10.0, 11.0)
    assert got[0].timestamp == T0  # Alpaca labels a bar by its start; ours by its close


def test_history_pages_through_the_sdk(venue: AlpacaVenue) -> None:
    venue.add_history([bar(i, 10 + i, 11 + i, 9 + i, 10 + i) for i in range(10)])
    venue.add_history([bar(i, 20, 21, 19, 20, symbol="MSFT") for i in range(3)])
    data = StockHistoricalDataClient(KEY, SECRET, url_override=venue.base_url)
    request = StockBarsRequest(
        symbol_or_symbols=["AAPL", "MSFT"],
        timeframe=TimeFrame.Minute,
        start=T0 - timedelta(hours=1),
        end=T0 + timedelta(hours=1),
    )
    bars = data.get_stock_bars(request).data
    assert [b.open for b in bars["AAPL"]] == [10.0 + i for i in range(10)]
    assert len(bars["MSFT"]) == 3
    assert bars["AAPL"][0].timestamp == T0 - timedelta(minutes=1)
    pages = [r for r in venue.requests() if r[1] == "/v2/stocks/bars"]
    assert len(pages) == 4  # 13 bars, 4 a page


def test_news_rest_and_stream(venue: AlpacaVenue) -> None:
    with connect(venue.news_stream_url, open_timeout=5) as ws:
        ws.recv(timeout=5)
        ws.send(json.dumps({"action": "auth", "key": KEY, "secret": SECRET}))
        assert json.loads(ws.recv(timeout=5)) == [{"T": "success", "msg": "authenticated"}]
        ws.send(msgpack.packb({"action": "subscribe", "news": ["*"]}))
        assert json.loads(ws.recv(timeout=5)) == [{"T": "subscription", "news": ["*"]}]
        venue.publish_news("Apple beats", ["AAPL"], summary="up", created_at=T0)
        pushed = json.loads(ws.recv(timeout=5))
    assert pushed[0]["T"] == "n" and pushed[0]["headline"] == "Apple beats"
    assert pushed[0]["created_at"] == "2024-03-04T15:00:00Z"
    news = NewsClient(KEY, SECRET, url_override=venue.base_url).get_news(
        NewsRequest(symbols="AAPL")
    )
    assert [n.headline for n in news.data["news"]] == ["Apple beats"]
