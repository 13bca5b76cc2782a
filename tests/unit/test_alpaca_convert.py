"""Alpaca JSON ↔ our domain types, through alpaca-py's own models (the shapes are Alpaca's
documented ones: decimals as strings, bars stamped at their open)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from alpaca.common.exceptions import APIError
from alpaca.data.models import Bar as AlpacaBar
from alpaca.data.models import News
from alpaca.trading.models import Asset, TradeUpdate
from alpaca.trading.models import Order as AlpacaOrder
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest, StopOrderRequest
from pydantic import SecretStr

from tradebot.adapters.alpaca.convert_data import (
    article_of_news,
    bar_of_alpaca,
    instrument_of_asset,
)
from tradebot.adapters.alpaca.convert_orders import (
    order_from_alpaca,
    order_request,
    our_client_id,
    replacement_client_id,
)
from tradebot.adapters.alpaca.convert_reports import activity_report, report_of_update
from tradebot.adapters.alpaca.credentials import (
    AlpacaCredentials,
    credentials_from_env,
    endpoints_from_env,
)
from tradebot.adapters.alpaca.rest import broker_error, is_duplicate_client_id
from tradebot.config import BrokerSettings
from tradebot.domain.enums import OrderSide, OrderStatus, OrderType, ReportKind, Timeframe
from tradebot.domain.errors import (
    BrokerError,
    ConfigError,
    InvalidOrderError,
    TemporaryBrokerError,
)
from tradebot.domain.instrument import AssetClass, fallback_instrument
from tradebot.domain.messages import Order

T0 = datetime(2024, 3, 4, 15, 31, tzinfo=UTC)
COID = "tb-3f2a9c-0"


def alpaca_order(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "61e69015-8549-4bfd-b9c3-01e75843f47d",
        "client_order_id": COID,
        "created_at": "2024-03-04T15:31:00.123456Z",
        "updated_at": "2024-03-04T15:31:00.123456Z",
        "submitted_at": "2024-03-04T15:31:00.123456Z",
        "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
        "symbol": "AAPL",
        "asset_class": "us_equity",
        "qty": "10",
        "notional": None,
        "filled_qty": "0",
        "order_class": "simple",
        "order_type": "limit",
        "type": "limit",
        "side": "buy",
        "time_in_force": "day",
        "limit_price": "187.31",
        "stop_price": None,
        "status": "accepted",
        "extended_hours": False,
    }
    body.update(changes)
    return body


def ours(**changes: Any) -> Order:
    fields: dict[str, Any] = {
        "client_order_id": COID,
        "decision_id": "d-1",
        "symbol": "AAPL",
        "side": OrderSide.BUY,
        "type": OrderType.LIMIT,
        "quantity": Decimal("10.7"),
        "limit_price": Decimal("187.319"),
        "created_at": T0,
    }
    fields.update(changes)
    return Order(**fields)


def update(event: str, **changes: Any) -> TradeUpdate:
    body: dict[str, Any] = {
        "event": event,
        "timestamp": "2024-03-04T15:32:00.5Z",
        "order": alpaca_order(status="partially_filled", filled_qty="7"),
    }
    body.update(changes)
    return TradeUpdate(**body)


# ---- orders -------------------------------------------------------------------------


def test_a_limit_order_goes_out_on_the_lot_and_tick_with_our_client_id() -> None:
    request = order_request(ours(), fallback_instrument("AAPL"))
    assert isinstance(request, LimitOrderRequest)
    fields = request.to_request_fields()
    assert fields["client_order_id"] == COID
    assert fields["qty"] == 10  # whole shares: rounded down
    assert fields["limit_price"] == 187.31  # a buy's limit rounds down, never up
    assert fields["time_in_force"] == "day"


def test_a_sell_stop_rounds_up_and_a_notional_market_order_keeps_cents() -> None:
    stop = order_request(
        ours(
            side=OrderSide.SELL,
            type=OrderType.STOP,
            limit_price=None,
            stop_price=Decimal("0.50005"),
        ),
        fallback_instrument("AAPL"),
    )
    assert isinstance(stop, StopOrderRequest)
    assert stop.stop_price == 0.5001  # sub-dollar tick 0.0001, rounded away from the market
    market = order_request(
        ours(type=OrderType.MARKET, quantity=None, notional=Decimal("1000.129"), limit_price=None),
        fallback_instrument("AAPL"),
    )
    assert isinstance(market, MarketOrderRequest)
    assert market.notional == 1000.12
    assert market.qty is None


def test_a_quantity_below_one_lot_is_refused_before_it_leaves() -> None:
    with pytest.raises(InvalidOrderError, match="below one lot"):
        order_request(ours(quantity=Decimal("0.4")), fallback_instrument("AAPL"))


def test_the_venue_view_keeps_our_order_and_takes_its_status_and_id() -> None:
    model = AlpacaOrder(**alpaca_order(status="new"))
    view = order_from_alpaca(model, ours())
    assert view.status is OrderStatus.ACCEPTED
    assert view.broker_order_id == "61e69015-8549-4bfd-b9c3-01e75843f47d"
    assert view.quantity == Decimal("10.7")  # ours, as the store has it


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending_new", OrderStatus.SUBMITTED),
        ("partially_filled", OrderStatus.PARTIALLY_FILLED),
        ("filled", OrderStatus.FILLED),
        ("pending_cancel", OrderStatus.PENDING_CANCEL),
        ("canceled", OrderStatus.CANCELLED),
        ("expired", OrderStatus.EXPIRED),
        ("rejected", OrderStatus.REJECTED),
        ("done_for_day", OrderStatus.ACCEPTED),
    ],
)
def test_statuses(status: str, expected: OrderStatus) -> None:
    assert order_from_alpaca(AlpacaOrder(**alpaca_order(status=status))).status is expected


def test_an_order_we_did_not_make_is_described_from_the_venue() -> None:
    model = AlpacaOrder(
        **alpaca_order(client_order_id="manual-1", type="trailing_stop", order_type="trailing_stop")
    )
    view = order_from_alpaca(model)
    assert view.client_order_id == "manual-1"
    assert view.decision_id == ""
    assert view.type is OrderType.MARKET
    assert "trailing_stop" in view.reason
    assert view.quantity == Decimal(10)


def test_replacement_client_ids_map_back_to_ours() -> None:
    first = replacement_client_id(COID)
    assert first == f"{COID}~r1"
    assert replacement_client_id(first) == f"{COID}~r2"
    assert our_client_id(replacement_client_id(first)) == COID
    assert our_client_id(COID) == COID


# ---- trade updates and activities ---------------------------------------------------


def test_a_partial_fill_reports_this_execution_not_the_cumulative_quantity() -> None:
    report = report_of_update(
        update(
            "partial_fill",
            execution_id="2e6f1b7a-0d8c-4f06-9d1c-6a4f3f1c2b10",
            qty="3",
            price="187.30",
        )
    )
    assert report is not None
    assert report.kind is ReportKind.PARTIALLY_FILLED
    assert report.quantity == Decimal(3)  # the order's filled_qty says 7
    assert report.price == Decimal("187.30")
    assert report.trade_id == "2e6f1b7a-0d8c-4f06-9d1c-6a4f3f1c2b10"
    assert report.commission == 0
    assert report.symbol == "AAPL"
    assert report.side is OrderSide.BUY
    assert report.ts == datetime(2024, 3, 4, 15, 32, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ("new", ReportKind.ACCEPTED),
        ("pending_new", ReportKind.SUBMITTED),
        ("canceled", ReportKind.CANCELLED),
        ("expired", ReportKind.EXPIRED),
        ("rejected", ReportKind.REJECTED),
        ("pending_cancel", ReportKind.PENDING_CANCEL),
        ("order_cancel_rejected", ReportKind.CANCEL_REJECTED),
    ],
)
def test_status_events(event: str, kind: ReportKind) -> None:
    report = report_of_update(update(event))
    assert report is not None
    assert report.kind is kind
    assert report.client_order_id == COID
    assert report.trade_id is None


def test_events_we_do_not_track_and_a_replacement_keep_our_client_id() -> None:
    assert report_of_update(update("replaced")) is None
    assert report_of_update(update("done_for_day")) is None
    replacement = update("new", order=alpaca_order(client_order_id=f"{COID}~r1"))
    report = report_of_update(replacement)
    assert report is not None
    assert report.client_order_id == COID


def test_a_fill_activity_has_the_stream_s_trade_id() -> None:
    activity = {  # the trading API's documented FILL activity
        "id": "20240304153200500::2e6f1b7a-0d8c-4f06-9d1c-6a4f3f1c2b10",
        "activity_type": "FILL",
        "transaction_time": "2024-03-04T15:32:00.5Z",
        "type": "partial_fill",
        "price": "187.30",
        "qty": "3",
        "side": "buy",
        "symbol": "AAPL",
        "leaves_qty": "7",
        "order_id": "61e69015-8549-4bfd-b9c3-01e75843f47d",
        "cum_qty": "3",
        "order_status": "partially_filled",
    }
    report = activity_report(activity, f"{COID}~r1")
    assert report.kind is ReportKind.PARTIALLY_FILLED
    assert report.trade_id == "2e6f1b7a-0d8c-4f06-9d1c-6a4f3f1c2b10"
    assert report.client_order_id == COID
    assert (report.quantity, report.price) == (Decimal(3), Decimal("187.3"))
    assert report.ts == datetime(2024, 3, 4, 15, 32, 0, 500000, tzinfo=UTC)


# ---- assets, bars, news -------------------------------------------------------------


def asset(**changes: Any) -> Asset:
    body: dict[str, Any] = {
        "id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415",
        "class": "us_equity",
        "exchange": "NASDAQ",
        "symbol": "AAPL",
        "name": "Apple Inc. Common Stock",
        "status": "active",
        "tradable": True,
        "marginable": True,
        "shortable": True,
        "easy_to_borrow": True,
        "fractionable": True,
        "min_order_size": "0.000000001",
        "min_trade_increment": "0.000000001",
        "price_increment": "0.01",
    }
    body.update(changes)
    return Asset(**body)


def test_a_fractionable_equity_trades_in_its_increment_with_two_ticks() -> None:
    inst = instrument_of_asset(asset())
    assert inst.asset_class is AssetClass.EQUITY
    assert inst.fractional
    assert inst.lot_size == Decimal("1E-9")
    assert (inst.tick_size, inst.sub_dollar_tick) == (Decimal("0.01"), Decimal("0.0001"))
    assert inst.calendar == "XNYS"


def test_a_whole_share_equity_trades_in_shares() -> None:
    inst = instrument_of_asset(asset(fractionable=False, min_order_size=None))
    assert not inst.fractional
    assert inst.lot_size == Decimal(1)
    assert inst.min_quantity == Decimal(1)


def test_a_bar_is_stamped_at_its_close() -> None:
    raw = AlpacaBar(
        "AAPL",
        {
            "t": "2024-03-04T15:31:00Z",
            "o": 187.1,
            "h": 187.5,
            "l": 187.0,
            "c": 187.4,
            "v": 1200,
            "n": 31,
            "vw": 187.3,
        },
    )
    bar = bar_of_alpaca(raw, Timeframe.M1)
    assert bar.ts == datetime(2024, 3, 4, 15, 32, tzinfo=UTC)
    assert (bar.symbol, bar.open, bar.close, bar.volume) == ("AAPL", 187.1, 187.4, 1200.0)


def test_a_news_item_names_its_tickers() -> None:
    item = News(
        {
            "id": 24843171,
            "headline": "Apple beats estimates",
            "source": "benzinga",
            "url": "https://www.benzinga.com/news/1",
            "summary": "Quarterly revenue rose.",
            "created_at": "2024-03-04T15:31:00Z",
            "updated_at": "2024-03-04T15:31:00Z",
            "symbols": ["AAPL", "aapl", "MSFT"],
            "author": "Benzinga Newsdesk",
            "content": "<p>Long text</p>",
        }
    )
    article = article_of_news(item)
    assert article.symbols_hint == ("AAPL", "MSFT")
    assert article.title == "Apple beats estimates"
    assert article.body == "Quarterly revenue rose."
    assert article.published_at == datetime(2024, 3, 4, 15, 31, tzinfo=UTC)
    assert len(article.content_hash) == 64


# ---- credentials and errors ---------------------------------------------------------


def test_missing_keys_are_one_config_error() -> None:
    with pytest.raises(ConfigError, match="Alpaca API keys are not set") as caught:
        credentials_from_env(env={})
    assert "APCA_API_KEY_ID" in caught.value.hint


def test_keys_from_settings_and_never_in_repr() -> None:
    settings = BrokerSettings(
        alpaca_api_key=SecretStr("PKSECRETKEYID"), alpaca_api_secret=SecretStr("s3cr3t-value")
    )
    creds = credentials_from_env(settings, env={})
    assert creds.key_id.get_secret_value() == "PKSECRETKEYID"
    assert "SECRETKEYID" not in repr(creds)
    assert "s3cr3t" not in repr(creds)
    env = credentials_from_env(
        settings, env={"APCA_API_KEY_ID": "PKENV", "APCA_API_SECRET_KEY": "x"}
    )
    assert env.key_id.get_secret_value() == "PKENV"


def test_a_rehearsal_url_points_every_client_at_one_server() -> None:
    ends = endpoints_from_env({"TRADEBOT_ALPACA_URL": "http://127.0.0.1:8765/"})
    assert ends.base_url == "http://127.0.0.1:8765"
    assert ends.trading_stream_url == "ws://127.0.0.1:8765/stream"
    assert ends.data_stream_url == "ws://127.0.0.1:8765/v2/iex"
    assert endpoints_from_env({}).base_url is None
    with pytest.raises(ConfigError, match="not an http"):
        endpoints_from_env({"TRADEBOT_ALPACA_URL": "127.0.0.1:8765"})


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status


class _HTTPError(Exception):
    def __init__(self, status: int) -> None:
        self.response = _Response(status)
        self.request = None


def api_error(status: int, body: str) -> APIError:
    return APIError(body, _HTTPError(status))  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (403, '{"code": 40310000, "message": "insufficient buying power"}', InvalidOrderError),
        (422, '{"code": 40010001, "message": "qty must be > 0"}', InvalidOrderError),
        (429, '{"message": "too many requests"}', TemporaryBrokerError),
        (504, "<html>gateway timeout</html>", TemporaryBrokerError),
        (401, '{"message": "unauthorized."}', BrokerError),
        (403, '{"message": "forbidden."}', BrokerError),
    ],
)
def test_errors_map_to_our_taxonomy(status: int, body: str, kind: type[BrokerError]) -> None:
    error = broker_error(api_error(status, body), f"submit {COID}")
    assert type(error) is kind
    assert COID in error.message


def test_a_duplicate_client_id_is_recognised() -> None:
    duplicate = api_error(422, '{"code": 40010001, "message": "client_order_id must be unique"}')
    assert is_duplicate_client_id(duplicate)
    assert not is_duplicate_client_id(api_error(422, '{"code": 40010001, "message": "bad qty"}'))


def test_credentials_of_plain_strings() -> None:
    creds = AlpacaCredentials.of("PKTEST", "secret", paper=False)
    assert not creds.paper
    assert "secret" not in repr(creds)
