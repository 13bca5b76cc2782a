"""Counting what one strategy took part in: signals with its share, decisions acted on them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tradebot.domain import DecisionAction, Direction, OrderSide, Signal, TradingDecision
from tradebot.engine.contributions import StrategyContributions
from tradebot.engine.topics import DECISIONS, SIGNALS
from tradebot.testing import DuplicatingBus

TS = datetime(2014, 5, 2, 20, tzinfo=UTC)


def _signal(sid: str, contributions: dict[str, float]) -> Signal:
    return Signal(
        id=sid,
        ts=TS,
        symbol="AAPL",
        direction=Direction.LONG,
        strength=0.5,
        confidence=0.7,
        price=100.0,
        sources={name: abs(share) for name, share in contributions.items()},
        contributions=contributions,
    )


def _decision(did: str, signal: Signal, action: DecisionAction) -> TradingDecision:
    return TradingDecision(
        id=did,
        signal_id=signal.id,
        ts=TS,
        symbol="AAPL",
        action=action,
        side=OrderSide.BUY if action is DecisionAction.ACT else None,
        quantity=Decimal(1) if action is DecisionAction.ACT else Decimal(0),
        reference_price=Decimal(100),
        reason="test",
        strategies=tuple(signal.sources),
    )


def test_signals_with_a_share_and_the_decisions_acted_on_them_are_counted() -> None:
    news = StrategyContributions("news")
    with_news = _signal("s1", {"news": 0.4, "macd": 0.1})
    neutral_vote = _signal("s2", {"news": 0.0, "macd": 0.5})
    without = _signal("s3", {"macd": 0.6})
    skipped = _signal("s4", {"news": -0.5})
    for signal in (with_news, neutral_vote, without, skipped):
        news.on_signal(signal)
    news.on_decision(_decision("d1", with_news, DecisionAction.ACT))
    news.on_decision(_decision("d2", neutral_vote, DecisionAction.ACT))
    news.on_decision(_decision("d3", without, DecisionAction.ACT))
    news.on_decision(_decision("d4", skipped, DecisionAction.SKIP))
    assert (news.signals, news.acted) == (2, 1)


def test_a_decision_seen_before_its_signal_still_counts() -> None:
    """On the in-process bus the decision stage answers a signal before later subscribers
    of ``signals`` see it."""
    news = StrategyContributions("news")
    signal = _signal("s1", {"news": 0.4})
    news.on_decision(_decision("d1", signal, DecisionAction.ACT))
    assert news.acted == 0
    news.on_signal(signal)
    assert (news.signals, news.acted) == (1, 1)


def test_redelivered_messages_count_once() -> None:
    news = StrategyContributions("news")
    bus = DuplicatingBus()
    bus.subscribe(SIGNALS, news.on_signal, stage=news.stage)
    bus.subscribe(DECISIONS, news.on_decision, stage=news.stage)
    signal = _signal("s1", {"news": 0.4, "momentum": 0.2})
    bus.publish(SIGNALS, signal)
    bus.publish(DECISIONS, _decision("d1", signal, DecisionAction.ACT))
    bus.publish(SIGNALS, signal)
    assert (news.signals, news.acted) == (1, 1)
