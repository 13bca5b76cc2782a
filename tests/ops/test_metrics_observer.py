"""Each bus message lands in the right metric (real domain messages, a real registry)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tradebot.domain.bar import Bar
from tradebot.domain.enums import (
    DecisionAction,
    Direction,
    OrderSide,
    OrderStatus,
    OrderType,
    Timeframe,
)
from tradebot.domain.messages import (
    Article,
    DecisionCheck,
    Fill,
    Order,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.ops.metrics import (
    EngineMetrics,
    MetricsObserver,
    StateSample,
    TimedSentiment,
    record_reconciliation,
    record_state,
)
from tradebot.sentiment.lexicon_analyzer import LexiconAnalyzer

TS = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock a test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def value(metrics: EngineMetrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return 0.0 if found is None else found


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def metrics() -> EngineMetrics:
    return EngineMetrics()


@pytest.fixture
def observer(metrics: EngineMetrics, ticks: Ticks) -> MetricsObserver:
    return MetricsObserver(metrics, source="replay", strategies=("macd", "rsi"), monotonic=ticks)


def decision(action: DecisionAction, *checks: tuple[str, bool], **more: object) -> TradingDecision:
    return TradingDecision(
        id=str(more.pop("id", "d1")),
        signal_id="s1",
        ts=TS,
        symbol="AAPL",
        action=action,
        side=more.pop("side", None),  # type: ignore[arg-type]
        quantity=Decimal(more.pop("quantity", 0)),  # type: ignore[arg-type]
        reference_price=Decimal("100"),
        reason="test",
        trace=tuple(DecisionCheck(name, passed, "") for name, passed in checks),
    )


def order(status: OrderStatus, kind: OrderType = OrderType.MARKET) -> Order:
    return Order(
        client_order_id="tb-c1",
        decision_id="d1",
        symbol="AAPL",
        side=OrderSide.BUY,
        type=kind,
        quantity=Decimal(1),
        limit_price=None if kind is OrderType.MARKET else Decimal(99),
        status=status,
        created_at=TS,
    )


def test_bars_count_by_source_and_timeframe(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    for _ in range(3):
        observer.on_bar(Bar("AAPL", Timeframe.D1, TS, 1.0, 2.0, 0.5, 1.5, 100.0))
    assert value(metrics, "tradebot_bars_total", source="replay", timeframe="1d") == 3


def test_news_in_and_scored_count_by_source_and_tier(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    article = Article(
        source="Reuters RSS", url="https://x/a", title="t", published_at=TS, content_hash="h"
    )
    observer.on_article(article)
    observer.on_scored(
        ScoredArticle(article=article, ticker="AAPL", score=0.4, confidence=0.8, model="finbert")
    )
    assert value(metrics, "tradebot_news_total", source="reuters_rss") == 1
    assert value(metrics, "tradebot_news_scored_total", tier="finbert") == 1


def test_a_signal_counts_once_per_strategy_and_unknown_ones_as_other(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    observer.on_signal(
        Signal(
            id="s1",
            ts=TS,
            symbol="AAPL",
            direction=Direction.LONG,
            strength=0.6,
            confidence=0.7,
            price=100.0,
            sources={"macd": 0.5, "someone-elses": 0.1},
        )
    )
    assert value(metrics, "tradebot_signals_total", strategy="macd", direction="long") == 1
    assert value(metrics, "tradebot_signals_total", strategy="other", direction="long") == 1
    assert value(metrics, "tradebot_signals_total", strategy="rsi", direction="long") == 0


def test_decisions_count_by_outcome_and_first_failed_check(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    observer.on_decision(
        decision(
            DecisionAction.SKIP, ("direction", True), ("circuit breakers", False), ("x", False)
        )
    )
    observer.on_decision(decision(DecisionAction.SKIP, ("a check nobody knows", False)))
    observer.on_decision(decision(DecisionAction.ACT, ("direction", True), id="d2"))
    m = metrics
    assert (
        value(m, "tradebot_decisions_total", outcome="skip", first_failed="circuit_breakers") == 1
    )
    assert value(m, "tradebot_decisions_total", outcome="skip", first_failed="other") == 1
    assert value(m, "tradebot_decisions_total", outcome="act", first_failed="none") == 1


def test_orders_by_status_round_trip_and_slippage(
    observer: MetricsObserver, metrics: EngineMetrics, ticks: Ticks
) -> None:
    observer.on_decision(
        decision(DecisionAction.ACT, ("direction", True), side=OrderSide.BUY, quantity=1)
    )
    observer.on_order(order(OrderStatus.NEW))
    observer.on_order(order(OrderStatus.SUBMITTED))
    ticks.now += 0.25
    observer.on_order(order(OrderStatus.ACCEPTED))
    ticks.now += 5.0
    observer.on_order(order(OrderStatus.FILLED))  # not a first report: not timed again
    observer.on_fill(
        Fill(
            fill_id="f1",
            client_order_id="tb-c1",
            symbol="AAPL",
            side=OrderSide.BUY,
            quantity=Decimal(1),
            price=Decimal("100.10"),
            commission=Decimal(0),
            ts=TS,
        )
    )
    m = metrics
    for status in ("new", "submitted", "accepted", "filled"):
        assert value(m, "tradebot_orders_total", status=status) == 1
    assert value(m, "tradebot_orders_total", status="rejected") == 0  # present at zero
    assert value(m, "tradebot_order_roundtrip_seconds_count") == 1
    assert value(m, "tradebot_order_roundtrip_seconds_sum") == pytest.approx(0.25)
    assert value(m, "tradebot_fill_slippage_bps_count") == 1
    # 10 bps worse (a histogram with negative buckets has no _sum: the buckets say it)
    assert value(m, "tradebot_fill_slippage_bps_bucket", le="5.0") == 0
    assert value(m, "tradebot_fill_slippage_bps_bucket", le="10.0") == 1


def test_a_protective_leg_is_no_slippage_sample(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    observer.on_decision(
        decision(DecisionAction.ACT, ("direction", True), side=OrderSide.BUY, quantity=1)
    )
    observer.on_order(order(OrderStatus.NEW, OrderType.LIMIT))
    observer.on_fill(
        Fill(
            fill_id="f1",
            client_order_id="tb-c1",
            symbol="AAPL",
            side=OrderSide.BUY,
            quantity=Decimal(1),
            price=Decimal("99"),
            commission=Decimal(0),
            ts=TS,
        )
    )
    assert value(metrics, "tradebot_fill_slippage_bps_count") == 0


def test_a_failing_handler_is_counted_and_never_raises(
    observer: MetricsObserver, metrics: EngineMetrics
) -> None:
    observer.on_bar("not a bar")  # type: ignore[arg-type]
    observer.on_decision(None)  # type: ignore[arg-type]
    assert value(metrics, "tradebot_metrics_observer_errors_total") == 2


def test_staleness_grows_until_the_next_bar(
    observer: MetricsObserver, metrics: EngineMetrics, ticks: Ticks
) -> None:
    ticks.now += 42.0
    assert value(metrics, "tradebot_feed_staleness_seconds") == pytest.approx(42.0)
    observer.on_bar(Bar("AAPL", Timeframe.M1, TS, 1.0, 2.0, 0.5, 1.5, 100.0))
    assert value(metrics, "tradebot_feed_staleness_seconds") == 0.0


def test_state_is_sampled_at_most_every_second_on_bars(
    metrics: EngineMetrics, ticks: Ticks
) -> None:
    samples: list[float] = []

    def sample() -> StateSample:
        samples.append(ticks.now)
        return StateSample(equity=1000.0 + len(samples), open_positions=1)

    observer = MetricsObserver(
        metrics, source="alpaca", strategies=(), monotonic=ticks, sample=sample
    )
    bar = Bar("AAPL", Timeframe.M1, TS, 1.0, 2.0, 0.5, 1.5, 100.0)
    observer.on_bar(bar)
    observer.on_bar(bar)
    ticks.now += 1.0
    observer.on_bar(bar)
    assert len(samples) == 2
    assert value(metrics, "tradebot_equity") == 1002.0


def test_state_gauges_follow_the_sample(metrics: EngineMetrics) -> None:
    record_state(
        metrics,
        StateSample(
            equity=10_000.0,
            open_positions=2,
            halted=True,
            feeds_down=1,
            tier="moderate",
            breakers={"daily_loss": True, "volatility": False},
            heat=0.04,
            active_pool=8000.0,
            reserve_pool=2000.0,
        ),
    )
    m = metrics
    assert value(m, "tradebot_equity") == 10_000.0
    assert value(m, "tradebot_engine_halted") == 1 and value(m, "tradebot_engine_paused") == 0
    assert value(m, "tradebot_risk_tier", tier="moderate") == 1
    assert value(m, "tradebot_risk_tier", tier="aggressive") == 0
    assert value(m, "tradebot_breaker_tripped", breaker="daily_loss") == 1
    assert value(m, "tradebot_breaker_tripped", breaker="volatility") == 0
    assert value(m, "tradebot_portfolio_heat") == pytest.approx(0.04)
    assert value(m, "tradebot_pool_value", pool="reserve") == 2000.0
    assert value(m, "tradebot_feeds_down") == 1


def test_reconciliation_outcomes(metrics: EngineMetrics) -> None:
    record_reconciliation(metrics, differences=3, unexplained=1)
    record_reconciliation(metrics, differences=1, unexplained=0)
    assert value(metrics, "tradebot_reconciliations_total", result="mismatch") == 1
    assert value(metrics, "tradebot_reconciliations_total", result="ok") == 1
    assert value(metrics, "tradebot_reconciliation_differences", kind="differences") == 1


def test_outside_calls_count_by_bounded_service(metrics: EngineMetrics) -> None:
    metrics.outside_error("alpaca")
    metrics.outside_error("some new api")
    metrics.outside_retry("rss")
    assert value(metrics, "tradebot_outside_call_errors_total", service="alpaca") == 1
    assert value(metrics, "tradebot_outside_call_errors_total", service="other") == 1
    assert value(metrics, "tradebot_outside_call_retries_total", service="rss") == 1


def test_timed_sentiment_scores_as_the_model_and_observes_by_tier(
    metrics: EngineMetrics, ticks: Ticks
) -> None:
    model = LexiconAnalyzer()
    timed = TimedSentiment(model, metrics, ticks)
    article = Article(
        source="rss",
        url="https://x/a",
        title="Apple beats estimates, shares surge",
        published_at=TS,
        content_hash="h",
    )
    assert timed.name == model.name
    assert timed.score_article(article, "AAPL") == model.score_article(article, "AAPL")
    tier = model.score_article(article, "AAPL")
    assert tier is not None
    assert value(metrics, "tradebot_sentiment_seconds_count", tier=tier.model) == 1


def test_two_registries_never_collide() -> None:
    first, second = EngineMetrics(), EngineMetrics()
    first.equity.set(1.0)
    assert second.registry.get_sample_value("tradebot_equity") == 0.0
