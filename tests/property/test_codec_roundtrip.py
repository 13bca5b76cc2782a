"""Every topic's message survives the wire format exactly (Decimal, UTC time included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.domain import (
    Article,
    Bar,
    DataError,
    DecisionAction,
    DecisionCheck,
    Direction,
    Fill,
    Order,
    OrderSide,
    ScoredArticle,
    Signal,
    Timeframe,
    TradingDecision,
)
from tradebot.engine import topics
from tradebot.engine.codec import decode, encode

times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
money = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(10**9), places=4)


@given(ts=times, price=st.floats(min_value=0.01, max_value=1e6), qty=money, px=money)
def test_messages_round_trip(ts: datetime, price: float, qty: Decimal, px: Decimal) -> None:
    article = Article(
        source="rss",
        url="https://x.test/a",
        title="t",
        published_at=ts,
        content_hash="h",
        symbols_hint=("AAPL",),
    )
    samples = {
        topics.MARKET_BARS: Bar("AAPL", Timeframe.D1, ts, price, price, price, price, 10.0),
        topics.NEWS_RAW: article,
        topics.NEWS_SCORED: ScoredArticle(
            article=article, ticker="AAPL", score=-0.5, confidence=0.7, model="lexicon"
        ),
        topics.SIGNALS: Signal(
            id="s",
            ts=ts,
            symbol="AAPL",
            direction=Direction.LONG,
            strength=0.5,
            confidence=0.6,
            price=price,
            sources={"momentum": 0.5},
        ),
        topics.DECISIONS: TradingDecision(
            id="d",
            signal_id="s",
            ts=ts,
            symbol="AAPL",
            action=DecisionAction.ACT,
            side=OrderSide.BUY,
            quantity=qty,
            reference_price=px,
            reason="r",
            trace=(DecisionCheck(check="c", passed=True, detail="ok", inputs={"a": "1"}),),
        ),
        topics.ORDERS: Order(
            client_order_id="tb-1",
            decision_id="d",
            symbol="AAPL",
            side=OrderSide.BUY,
            quantity=qty,
            created_at=ts,
        ),
        topics.FILLS: Fill(
            fill_id="f",
            client_order_id="tb-1",
            symbol="AAPL",
            side=OrderSide.SELL,
            quantity=qty,
            price=px,
            commission=Decimal("0.01"),
            ts=ts + timedelta(days=1),
        ),
    }
    for topic, message in samples.items():
        assert decode(topic, encode(topic, message)) == message


def test_a_malformed_message_is_refused_with_the_topic_named() -> None:
    with pytest.raises(DataError, match="malformed fills message"):
        decode(topics.FILLS, b'{"fill_id": "f"}')
    bar = (
        b'{"symbol":"A","timeframe":"1d","ts":"2020-01-01T00:00:00Z","open":"NaN",'
        b'"high":1,"low":1,"close":1,"volume":1}'
    )
    with pytest.raises(DataError, match="NaN"):
        decode(topics.MARKET_BARS, bar)
    with pytest.raises(TypeError):
        encode(topics.FILLS, "not a fill")
