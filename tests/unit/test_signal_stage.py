"""The signal stage runs several strategies per symbol through the ensemble."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.kernel_builder import START
from tradebot.domain import Article, Bar, Direction, ScoredArticle
from tradebot.engine import MemoryBus
from tradebot.engine.signal_stage import SignalStage
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import MemoryStore, RecordingBus, bars_from_closes


@dataclass
class Scripted:
    """Says ``direction`` with ``strength`` on every bar after ``warmup`` bars."""

    name: str
    direction: Direction
    strength: float
    warmup: int = 0
    seen: int = 0

    @property
    def warmup_period(self) -> int:
        return self.warmup

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        self.seen += 1
        assert ctx.history[-1] is bar, "the context's last bar is the current one"
        if self.seen <= self.warmup:
            return None
        return Opinion(self.direction, self.strength, 0.5, f"{self.name} says so")

    def reset(self) -> None:
        self.seen = 0


@dataclass(frozen=True)
class ScriptedFactory:
    name: str
    direction: Direction
    strength: float
    warmup: int = 0

    @property
    def warmup_period(self) -> int:
        return self.warmup

    def __call__(self, symbol: str) -> Scripted:
        return Scripted(self.name, self.direction, self.strength, self.warmup)


def test_weighted_votes_become_one_attributed_signal_per_bar() -> None:
    store, bus = MemoryStore(), RecordingBus()
    stage = SignalStage(
        run_id="r",
        factories=[
            ScriptedFactory("up", Direction.LONG, 0.9),
            ScriptedFactory("down", Direction.SHORT, 0.6, warmup=2),
        ],
        store=store,
        bus=bus,
        weights={"up": 1.0, "down": 2.0},
        threshold=0.05,
    )
    for bar in bars_from_closes("AAA", [10.0, 11.0, 12.0, 13.0], START):
        stage.on_bar(bar)
    signals = bus.messages["signals"]
    assert len(signals) == 4
    first, last = signals[0], signals[-1]
    assert first.direction is Direction.LONG and first.sources == {"up": 0.9}
    # once "down" speaks (bar 3): (0.9·1 − 0.6·2) / 3 = −0.1, past the 0.05 threshold
    assert last.contributions == {"up": 0.9 / 3, "down": -1.2 / 3}
    assert last.direction is Direction.SHORT
    assert abs(last.strength - 0.1) < 1e-12


def test_each_symbol_has_its_own_strategies_and_a_redelivered_bar_is_ignored() -> None:
    stage = SignalStage(
        run_id="r",
        factories=[ScriptedFactory("up", Direction.LONG, 0.9, 1)],
        store=MemoryStore(),
        bus=MemoryBus(),
    )
    a = bars_from_closes("AAA", [1.0, 2.0], START)
    b = bars_from_closes("BBB", [1.0, 2.0], START)
    for bar in (a[0], b[0], a[1], a[1], b[1]):
        stage.on_bar(bar)
    assert stage.emitted == 2, "one signal per symbol after its own warm-up; duplicate ignored"
    assert len(stage.context("AAA").history) == 2


def test_scored_news_reaches_the_symbol_context() -> None:
    stage = SignalStage(
        run_id="r",
        factories=[ScriptedFactory("up", Direction.LONG, 0.9)],
        store=MemoryStore(),
        bus=MemoryBus(),
    )
    ts = datetime(2020, 1, 2, 15, tzinfo=UTC)
    article = Article(source="t", url="u", title="AAA soars", published_at=ts, content_hash="h")
    stage.on_scored(
        ScoredArticle(article=article, ticker="AAA", score=0.8, confidence=0.9, model="fixed")
    )
    sentiment = stage.context("AAA").sentiment
    assert sentiment.article_count(ts) == 1
    assert abs(sentiment.score(ts) - 0.8) < 1e-12


def test_weights_come_from_the_store_with_equal_defaults() -> None:
    store = MemoryStore()
    assert store.load_weights(["a", "b"]) == {"a": 0.5, "b": 0.5}
    store.weights["a"] = 0.8
    assert store.load_weights(["a", "c"]) == {"a": 0.8, "c": 0.65}
