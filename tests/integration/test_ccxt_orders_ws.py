"""CCXT order updates over Binance's user data stream: real ccxt.pro against the fake venue
(its WebSocket API ``/ws-api/v3``), nothing patched, deadlines rather than sleeps.

The poll interval is set very long (an hour) wherever the stream is under test, so a report
that arrives can only have come over the websocket (or the gap fill after a reconnect).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.integration.test_ccxt_venue import SYMBOL, T0, VENUE_SYMBOL, bar, poll
from tradebot.adapters.ccxt import CcxtBroker, CcxtOrderReports
from tradebot.adapters.clock import utc_now
from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderSide, OrderType, ReportKind
from tradebot.domain.messages import Order
from tradebot.testing.binance import BinanceVenue
from tradebot.testing.live import CollectingSink

HOUR = 3600.0


class Sink(CollectingSink):
    """The collecting sink, with the fills it was handed as (client id, trade id)."""

    def fills(self) -> list[tuple[str, str | None]]:
        return [(r.client_order_id, r.trade_id) for r in list(self.reports) if r.is_fill]  # type: ignore[attr-defined]


def now_bar() -> Bar:
    return bar(utc_now().replace(microsecond=0))


def order(n: int, *, limit: str | None = None) -> Order:
    return Order(
        client_order_id=f"tb-ws-{n}",
        decision_id=f"d-{n}",
        symbol=SYMBOL,
        side=OrderSide.BUY,
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


@pytest.fixture
def broker(venue: BinanceVenue) -> Iterator[CcxtBroker]:
    made = CcxtBroker(
        "binance", "test-key", "test-secret", symbols=[SYMBOL], urls_override=venue.ccxt_urls()
    )
    yield made
    made.close()


def streaming(venue: BinanceVenue, broker: CcxtBroker) -> CcxtOrderReports:
    return CcxtOrderReports(
        broker,
        poll_s=HOUR,
        lookback=timedelta(days=3650),
        rest_overridden=True,
        ws_urls_override=venue.ccxt_ws_urls(),
    )


def test_a_fill_arrives_over_the_websocket_once(venue: BinanceVenue, broker: CcxtBroker) -> None:
    sink = Sink()
    reports = streaming(venue, broker)
    assert reports.mode == "websocket"
    reports.start(sink)
    try:
        assert poll(lambda: venue.user_subscribers() == 1)
        broker.submit(order(1))
        venue.publish_kline(VENUE_SYMBOL, now_bar())
        assert poll(lambda: sink.fills() == [("tb-ws-1", "1")])
        venue.publish_kline(VENUE_SYMBOL, now_bar())  # more events, no new trade
        broker.submit(order(2, limit="50"))
        assert not poll(lambda: len(sink.fills()) > 1, timeout=0.5)
    finally:
        reports.stop()
    (fill,) = [r for r in sink.reports if r.is_fill]
    assert fill.kind is ReportKind.FILLED and fill.quantity == Decimal("0.1")
    assert fill.broker_order_id == "1"


def test_a_cancel_arrives_over_the_websocket(venue: BinanceVenue, broker: CcxtBroker) -> None:
    sink = Sink()
    reports = streaming(venue, broker)
    reports.start(sink)
    try:
        assert poll(lambda: venue.user_subscribers() == 1)
        broker.submit(order(3, limit="50"))
        # cancelled behind the session's back: only the stream can tell it
        venue.book.cancel(venue.orders()[0], venue.now_ms())
        venue.announce()
        assert poll(lambda: any(r.kind is ReportKind.CANCELLED for r in sink.reports))
    finally:
        reports.stop()
    cancels = [r for r in sink.reports if r.kind is ReportKind.CANCELLED]
    assert [r.client_order_id for r in cancels] == ["tb-ws-3"]


def test_a_fill_made_while_the_stream_is_down_arrives_once_by_the_gap_fill(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    sink = Sink()
    reports = streaming(venue, broker)
    reports.start(sink)
    try:
        assert poll(lambda: venue.user_subscribers() == 1)
        broker.submit(order(4))
        venue.faults.refuse_streams = True
        assert venue.drop_user_streams() == 1
        venue.publish_kline(VENUE_SYMBOL, now_bar())  # filled with nobody listening
        assert poll(lambda: any(not up for _, up, _ in sink.status))
        assert sink.fills() == []
        venue.faults.refuse_streams = False
        assert poll(lambda: sink.fills() == [("tb-ws-4", "1")])
        assert poll(lambda: venue.user_subscribers() == 1)
        venue.publish_kline(VENUE_SYMBOL, now_bar())
        assert not poll(lambda: len(sink.fills()) > 1, timeout=0.5)
    finally:
        reports.stop()
    assert ("ccxt-orders-stream", True, "reconnected") in sink.status


def test_a_silent_reconnect_is_gap_filled(venue: BinanceVenue, broker: CcxtBroker) -> None:
    sink = Sink()
    reports = streaming(venue, broker)
    reports.start(sink)
    try:
        assert poll(lambda: venue.user_subscribers() == 1)
        broker.submit(order(5))
        venue.drop_user_streams(abrupt=True)
        venue.publish_kline(VENUE_SYMBOL, now_bar())
        assert poll(lambda: sink.fills() == [("tb-ws-5", "1")])
    finally:
        reports.stop()


def test_polling_is_chosen_where_the_stream_is_not_available(
    venue: BinanceVenue, broker: CcxtBroker
) -> None:
    # a local REST fake with no stream URL beside it: never the real exchange's streams
    assert CcxtOrderReports(broker, rest_overridden=True).mode == "polling"
    # market streams named, but not the WebSocket API the user stream lives on
    market_only = {"spot": f"ws://127.0.0.1:{venue.port}/ws"}
    assert (
        CcxtOrderReports(broker, rest_overridden=True, ws_urls_override=market_only).mode
        == "polling"
    )
    assert CcxtOrderReports(broker, prefer_polling=True).mode == "polling"
    sink = Sink()
    reports = CcxtOrderReports(
        broker, poll_s=0.05, lookback=timedelta(days=3650), rest_overridden=True
    )
    reports.start(sink)
    try:
        broker.submit(order(6))
        venue.publish_kline(VENUE_SYMBOL, now_bar())
        assert poll(lambda: sink.fills() == [("tb-ws-6", "1")])
    finally:
        reports.stop()
    assert venue.user_subscribers() == 0
