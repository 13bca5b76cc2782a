"""The pure CCXT conversions: statuses, fill reports, instruments, closed bars, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import ccxt
import pytest

from tradebot.adapters.ccxt.convert import (
    bars_from_ohlcv,
    broker_error,
    fill_report,
    instrument_from_market,
    is_duplicate,
    status_of,
)
from tradebot.adapters.ccxt.exchange import credentials_from_env
from tradebot.domain.enums import OrderStatus, ReportKind, Timeframe
from tradebot.domain.errors import ConfigError, InvalidOrderError, TemporaryBrokerError

T0 = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)
T0_MS = int(T0.timestamp() * 1000)


def test_status_mapping() -> None:
    assert status_of({"status": "open", "filled": 0}) is OrderStatus.ACCEPTED
    assert status_of({"status": "open", "filled": 0.5}) is OrderStatus.PARTIALLY_FILLED
    assert status_of({"status": "closed"}) is OrderStatus.FILLED
    assert status_of({"status": "canceled"}) is OrderStatus.CANCELLED
    assert status_of({"status": "expired"}) is OrderStatus.EXPIRED


def trade(fee_currency: str, fee: float) -> dict[str, object]:
    return {
        "id": "7", "order": "3", "symbol": "BTC/USDT", "side": "buy", "price": 100.5,
        "amount": 0.2, "timestamp": T0_MS, "fee": {"currency": fee_currency, "cost": fee},
    }  # fmt: skip


def test_fill_report_commission_is_in_the_quote() -> None:
    quote = fill_report(trade("USDT", 0.0201), "tb-1", done=True, quote="USDT")
    assert quote.kind is ReportKind.FILLED and quote.trade_id == "7"
    assert (quote.quantity, quote.price, quote.commission) == (
        Decimal("0.2"), Decimal("100.5"), Decimal("0.0201")
    )  # fmt: skip
    base = fill_report(trade("BTC", 0.0002), "tb-1", done=False, quote="USDT")
    assert base.kind is ReportKind.PARTIALLY_FILLED and base.commission == Decimal("0.02010")
    assert fill_report(trade("BNB", 0.001), "tb-1", done=True, quote="USDT").commission == 0


def test_instrument_from_tick_size_and_decimal_places_markets() -> None:
    market = {
        "symbol": "BTC/USDT", "quote": "USDT", "precision": {"price": 0.01, "amount": 1e-05},
        "limits": {"amount": {"min": 1e-05}, "cost": {"min": 5.0}},
    }  # fmt: skip
    inst = instrument_from_market(market, decimal_places=False)
    assert (inst.tick_size, inst.lot_size, inst.min_notional) == (
        Decimal("0.01"), Decimal("0.00001"), Decimal(5)
    )  # fmt: skip
    assert inst.fractional and inst.calendar is None
    places = {**market, "precision": {"price": 2, "amount": 0}, "limits": {}}
    whole = instrument_from_market(places, decimal_places=True)
    assert whole.tick_size == Decimal("0.01") and whole.lot_size == 1 and not whole.fractional


def test_only_closed_candles_become_bars_labelled_by_their_close() -> None:
    rows = [[T0_MS - 120_000, 1, 2, 0.5, 1.5, 10], [T0_MS - 60_000, 1, 2, 0.5, 1.5, 10]]
    bars = bars_from_ohlcv("BTC/USDT", Timeframe.M1, rows, now=T0 - timedelta(seconds=1))
    assert [b.ts for b in bars] == [T0 - timedelta(seconds=60)]  # the second closes at T0: forming


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (ccxt.AuthenticationError("binance -1022"), ConfigError),
        (ccxt.InsufficientFunds("no money"), InvalidOrderError),
        (ccxt.InvalidOrder("LOT_SIZE"), InvalidOrderError),
        (ccxt.BadSymbol("nope"), InvalidOrderError),
        (ccxt.RequestTimeout("GET http://x/api?signature=abc"), TemporaryBrokerError),
        (ccxt.DDoSProtection("429"), TemporaryBrokerError),
        (ccxt.RateLimitExceeded("-1003"), TemporaryBrokerError),
        (ccxt.ExchangeNotAvailable("503"), TemporaryBrokerError),
        (ccxt.ExchangeError("odd"), TemporaryBrokerError),
        (TimeoutError("slow"), TemporaryBrokerError),
    ],
)
def test_error_taxonomy(exc: Exception, kind: type) -> None:
    err = broker_error(exc, "submit tb-1", "binance")
    assert type(err) is kind
    assert "\n" not in err.one_line() and "signature=" not in err.one_line()


def test_duplicate_detection_and_credentials() -> None:
    assert is_duplicate(ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'))
    assert is_duplicate(ccxt.DuplicateOrderId("x")) and not is_duplicate(ccxt.InvalidOrder("x"))
    env = {"TRADEBOT_CCXT_API_KEY": "k", "TRADEBOT_CCXT_SECRET": "s"}
    assert credentials_from_env(env) == ("k", "s")
    with pytest.raises(ConfigError, match="TRADEBOT_CCXT_SECRET"):
        credentials_from_env({"TRADEBOT_CCXT_API_KEY": "k"})
