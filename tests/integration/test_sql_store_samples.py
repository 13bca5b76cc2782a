"""Domain objects with awkward values (exact decimals, non-UTC offsets) for the store tests.

A helper module, not tests: named test_sql_store_* only to sit with the tests it serves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from tradebot.domain import (
    Article,
    ClosedTrade,
    DecisionAction,
    DecisionCheck,
    Direction,
    Fill,
    Mode,
    Order,
    OrderSide,
    OrderStatus,
    OrderType,
    PortfolioSnapshot,
    Position,
    ScoredArticle,
    Signal,
    Timeframe,
    TradingDecision,
)
from tradebot.domain.run import RunInfo

T0 = datetime(2024, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))  # a non-UTC offset: stored as the same instant
POINT_THREE = Decimal("0.1") + Decimal("0.2")
TWELVE_DIGITS = Decimal("123456789012.0123456789")


def run_info(run_id: str = "run-1", mode: Mode = Mode.BACKTEST, at: datetime = T0) -> RunInfo:
    return RunInfo(
        id=run_id,
        mode=mode,
        started_at=at,
        strategy="ensemble",
        symbols=("AAPL", "MSFT"),
        timeframe=Timeframe.D1,
        data_start=datetime(2019, 1, 1, tzinfo=UTC),
        data_end=datetime(2020, 12, 31, tzinfo=UTC),
        config={"risk": {"max_positions": 5}, "fee_bps": 1.5},
    )


def article(n: int = 1) -> Article:
    return Article(
        source="reuters",
        url=f"https://example.com/{n}",
        title=f"Apple beats estimates #{n}",
        body="Revenue up 12%, émojis and ünïcode survive: 📈",
        published_at=T0.astimezone(IST),
        content_hash=f"sha256:{n:064x}",
        symbols_hint=("AAPL",),
    )


def scored(n: int = 1, ticker: str = "AAPL", model: str = "lexicon") -> ScoredArticle:
    return ScoredArticle(
        article=article(n),
        ticker=ticker,
        score=-0.123456789012345,
        confidence=0.9,
        model=model,
        entities=("Apple Inc.", "Tim Cook"),
    )


def signal(n: int = 1) -> Signal:
    return Signal(
        id=f"sig-{n}",
        ts=T0 + timedelta(days=n),
        symbol="AAPL",
        direction=Direction.LONG,
        strength=0.1 + 0.2,  # a float that is not 0.3: must come back bit for bit
        confidence=0.75,
        price=187.123456789,
        sources={"macd": 0.5, "news": 0.25},
    )


def decision(n: int = 1) -> TradingDecision:
    return TradingDecision(
        id=f"dec-{n}",
        signal_id=f"sig-{n}",
        ts=(T0 + timedelta(days=n)).astimezone(IST),
        symbol="AAPL",
        action=DecisionAction.ACT,
        side=OrderSide.BUY,
        quantity=POINT_THREE,
        reference_price=TWELVE_DIGITS,
        reason="ensemble long above threshold",
        trace=(
            DecisionCheck(check="breaker", passed=True, detail="closed", inputs={"dd": 0.01}),
            DecisionCheck(check="size", passed=True, detail="2% risk", inputs={"atr": 3.5}),
        ),
        strategies=("macd", "news"),
    )


def skip_decision(n: int) -> TradingDecision:
    return TradingDecision(
        id=f"dec-{n}",
        signal_id=f"sig-{n}",
        ts=T0 + timedelta(days=n),
        symbol="AAPL",
        action=DecisionAction.SKIP,
        reference_price=Decimal("187.12"),
        reason="below threshold",
    )


def order(n: int = 1, status: OrderStatus = OrderStatus.NEW, broker_id: str | None = None) -> Order:
    return Order(
        client_order_id=f"coid-{n}",
        decision_id=f"dec-{n}",
        symbol="AAPL",
        side=OrderSide.BUY,
        type=OrderType.LIMIT,
        quantity=POINT_THREE,
        limit_price=Decimal("187.1200000001"),
        status=status,
        created_at=T0 + timedelta(days=n),
        broker_order_id=broker_id,
        reason="entry",
    )


def fill(n: int = 1, k: int = 1) -> Fill:
    return Fill(
        fill_id=f"fill-{n}-{k}",
        client_order_id=f"coid-{n}",
        symbol="AAPL",
        side=OrderSide.BUY,
        quantity=Decimal("0.1"),
        price=TWELVE_DIGITS,
        commission=Decimal("0.0000000001"),
        ts=T0 + timedelta(days=n, seconds=k),
    )


def closed_trade(n: int = 1) -> ClosedTrade:
    return ClosedTrade(
        id=f"trade-{n}",
        symbol="AAPL",
        quantity=POINT_THREE,
        entry_ts=T0,
        exit_ts=(T0 + timedelta(days=n, hours=3)).astimezone(IST),
        entry_price=Decimal("187.12"),
        exit_price=Decimal("190.5"),
        pnl=Decimal("-1.0140000000"),
        commission=Decimal("0.02"),
        return_pct=0.018063,
        hold_seconds=97200.0,
        strategies=("macd",),
        entry_decision_id="dec-1",
        exit_decision_id=f"dec-{n}",
    )


def snapshot(n: int = 0, cash: Decimal = Decimal("100000")) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        ts=T0 + timedelta(days=n),
        cash=cash,
        positions_value=TWELVE_DIGITS,
        equity=cash + TWELVE_DIGITS,
        open_positions=1,
        realised_pnl=POINT_THREE,
    )


def position(symbol: str = "AAPL", quantity: Decimal = POINT_THREE) -> Position:
    return Position(
        symbol=symbol,
        quantity=quantity,
        avg_price=TWELVE_DIGITS,
        opened_at=T0.astimezone(IST),
        entry_decision_id="dec-1",
        entry_commission=Decimal("0.01"),
        strategies=("macd", "news"),
        last_price=Decimal("190.5"),
        bought_quantity=quantity,
        bought_notional=quantity * TWELVE_DIGITS,
        sold_quantity=Decimal("0"),
        sold_notional=Decimal("0"),
        exit_commission=Decimal("0"),
    )
