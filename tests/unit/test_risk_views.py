"""What the risk engine sees of the kernel: the ledger and open orders as a frozen portfolio
view, signals with their asset class, and the market state fed bar by bar (ATR as the batch
indicator computes it, daily returns from the last close of each New York day, one series
object per day); and how a resumed run tells a decision's legs from its bracket children."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.instruments import BundledInstruments, us_equity
from tradebot.adapters.paper.broker import PaperBroker
from tradebot.domain import Bar, Timeframe
from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderType, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Fill, Order, Signal, TradingDecision
from tradebot.engine import MemoryBus
from tradebot.engine.ids import client_order_id
from tradebot.engine.market_state import MarketState
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.resume import resume_point
from tradebot.engine.risk_views import instruments_from, portfolio_view, signal_view
from tradebot.indicators import atr
from tradebot.ports import RiskCheckpoint
from tradebot.risk import AssetClass
from tradebot.testing import MemoryStore

D = Decimal
T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)


def _decision(did: str, symbol: str, side: OrderSide, qty: str, **extra: object) -> TradingDecision:
    return TradingDecision(
        id=did,
        signal_id="s" + did,
        ts=T0,
        symbol=symbol,
        action=DecisionAction.ACT,
        side=side,
        quantity=D(qty),
        reference_price=D(100),
        reason="test",
        strategies=("macd",),
        **extra,  # type: ignore[arg-type]
    )


def _report(fill: Fill) -> ExecutionReport:
    """The venue's report of ``fill`` (it completes the order)."""
    return ExecutionReport(
        kind=ReportKind.FILLED,
        client_order_id=fill.client_order_id,
        ts=fill.ts,
        trade_id=fill.fill_id,
        quantity=fill.quantity,
        price=fill.price,
        commission=fill.commission,
    )


def _fill(coid: str, symbol: str, side: OrderSide, qty: str, price: str) -> Fill:
    return Fill(
        fill_id=coid + "-1",
        client_order_id=coid,
        symbol=symbol,
        side=side,
        quantity=D(qty),
        price=D(price),
        commission=D(0),
        ts=T0,
    )


def test_the_portfolio_view_holds_longs_at_their_marks_and_pending_entries_only() -> None:
    om = OrderManager(
        run_id="r", broker=PaperBroker(allow_short=True), store=MemoryStore(), bus=MemoryBus()
    )
    portfolio = Portfolio(D(100_000), om.context)
    om.on_decision(
        _decision("dec-ko", "KO", OrderSide.BUY, "10", stop_loss=D(95), take_profit=D(110))
    )
    om.on_decision(_decision("dec-x", "XOM", OrderSide.SELL, "5"))  # a short (reference stage)
    om.on_decision(_decision("dec-j", "JNJ", OrderSide.BUY, "3"))
    for coid, symbol, side, qty in (
        (client_order_id("dec-ko"), "KO", OrderSide.BUY, "10"),
        (client_order_id("dec-x"), "XOM", OrderSide.SELL, "5"),
    ):
        fill = _fill(coid, symbol, side, qty, "100")
        om.on_report(_report(fill))
        portfolio.apply_fill(fill)
    portfolio.set_mark("KO", 104.5)
    portfolio.set_mark("XOM", 98.0)
    view = portfolio_view(portfolio, om, instruments_from({}))
    assert set(view.positions) == {"KO"}  # the engine trades longs; the short counts in equity
    ko = view.positions["KO"]
    assert (ko.quantity, ko.avg_price, ko.last_price) == (D(10), D(100), D("104.5"))
    assert view.equity == portfolio.equity() == D(100_000) + D(45) + D(10)
    assert view.pending_symbols == frozenset({"JNJ"})  # KO's bracket children are not pending
    assert view.reserved_cash == D(300) and view.cash == portfolio.cash


def test_signals_carry_their_asset_class_and_lot() -> None:
    signal = Signal(
        id="s1",
        ts=T0,
        symbol="BTC/USDT",
        direction=Direction.LONG,
        strength=0.5,
        confidence=0.6,
        price=43_210.5,
        sources={"macd": 0.5},
    )
    table = BundledInstruments()
    view = signal_view(signal, table.instrument("BTC/USDT"))
    assert (view.asset_class, view.lot_size, view.tick_size, view.price) == (
        AssetClass.CRYPTO,
        D("0.00001"),  # Binance spot's BTC/USDT step, from the bundled table
        D("0.01"),
        D("43210.5"),
    )
    assert view.strategies == ("macd",)
    kinds = [table.instrument(s).asset_class for s in ("ETH-USD", "AAPL", "BRK.B")]
    assert kinds == [AssetClass.CRYPTO, AssetClass.EQUITY, AssetClass.EQUITY]
    penny = signal_view(signal.evolve(symbol="XYZ", price=0.5), us_equity("XYZ"))
    assert penny.tick_size == D("0.0001")  # rule 612: below $1 the tick is 1/100 cent


def test_a_symbol_nobody_described_falls_back_by_its_spelling() -> None:
    of = instruments_from({})
    assert of("ETH/USDT").asset_class is AssetClass.CRYPTO
    assert of("KO").lot_size == D(1) and of("KO").calendar == "XNYS"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(1.0, 500.0), min_size=2, max_size=60), st.integers(2, 20))
def test_the_streaming_atr_is_the_batch_atr(closes: list[float], period: int) -> None:
    market = MarketState(atr_period=period)
    high = [c * 1.01 for c in closes]
    low = [c * 0.98 for c in closes]
    for i, close in enumerate(closes):
        market.on_bar(
            Bar("X", Timeframe.D1, T0 + timedelta(days=i), close, high[i], low[i], close, 1)
        )
    expected = float(atr(np.array(high), np.array(low), np.array(closes), period)[-1])
    got = market.atr("X")
    assert (got is None) == np.isnan(expected)
    if got is not None:
        assert got == pytest.approx(expected, rel=1e-12)


def test_daily_returns_come_from_each_new_york_days_last_close() -> None:
    market = MarketState(return_days=5)
    start = datetime(2021, 3, 1, 14, 31, tzinfo=UTC)
    closes = {0: [10.0, 11.0], 1: [12.0, 12.1], 2: [11.0, 13.31]}
    for day, values in closes.items():
        for minute, close in enumerate(values):
            ts = start + timedelta(days=day, minutes=minute)
            market.on_bar(Bar("X", Timeframe.M1, ts, close, close, close, close, 1))
    series = market.daily_returns("X")
    assert series is not None  # two closed days: one return; the third day is still open
    assert series.values == (12.1 / 11.0 - 1.0,) and series.dates == (datetime(2021, 3, 2).date(),)
    assert market.daily_returns("X") is series  # the same object until a day closes
    market.on_bar(Bar("X", Timeframe.M1, start + timedelta(days=3), 9.0, 9, 9, 9, 1))
    after = market.daily_returns("X")
    assert after is not series and after is not None
    assert after.values == (12.1 / 11.0 - 1.0, 13.31 / 12.1 - 1.0)
    assert market.last_price("X") == D(9) and market.bar_seconds("X") == 60
    assert market.last_price_time("X") == start + timedelta(days=3)
    assert market.atr("Y") is None and market.daily_returns("Y") is None


def test_a_resumed_run_sends_each_decisions_legs_with_their_brackets_in_order() -> None:
    entry = client_order_id("dec-a")

    def order(coid: str, **extra: object) -> Order:
        fields: dict[str, object] = {
            "client_order_id": coid,
            "decision_id": "dec-a",
            "symbol": "KO",
            "side": OrderSide.BUY,
            "quantity": D(5),
            "created_at": T0,
        }
        fields.update(extra)
        return Order(**fields)  # type: ignore[arg-type]

    later = T0 + timedelta(days=1)
    sell = {"side": OrderSide.SELL}
    recorded = [
        order(entry + ".1-sl", type=OrderType.STOP, stop_price=D(96), created_at=later, **sell),
        order(entry + ".1", created_at=later),
        order(entry + ".1-tp", type=OrderType.LIMIT, limit_price=D(111), created_at=later, **sell),
        order(entry + "-tp", type=OrderType.LIMIT, limit_price=D(110), **sell),
        order(entry),
        order(entry + "-sl", type=OrderType.STOP, stop_price=D(95), **sell),
        order(client_order_id("dec-a", 2), created_at=T0 + timedelta(days=3)),  # after as_of
    ]
    decision = _decision("dec-a", "KO", OrderSide.BUY, "5")
    point = resume_point(RiskCheckpoint(later, {"tier": "moderate"}), [decision], recorded, [])
    assert [(r.order.client_order_id, r.bracket) for r in point.orders] == [
        (entry, (D(95), D(110))),
        (entry + ".1", (D(96), D(111))),
    ]
    assert point.orders[0].strategies == ("macd",) and point.state == {"tier": "moderate"}
