"""Grid and news-driven strategies on hand-built bars and sentiment with known answers."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest

from tests.unit.test_strategies_support import (
    LONG,
    SHORT,
    T0,
    bar,
    bars_of,
    build,
    events,
    run,
)
from tradebot.domain import ConfigError
from tradebot.sentiment.context import SentimentContext
from tradebot.strategies import NewsDriven, NewsParams, StrategyContext

# --- grid -----------------------------------------------------------------------------------


def test_grid_buys_falling_through_levels_and_sells_rising_through_them() -> None:
    # Levels 90, 95, 100, 105, 110.
    strategy = build("grid", lower=90, upper=110, levels=5)
    assert strategy.warmup_period == 2
    ops = run(strategy, bars_of([101, 99, 94, 94, 101, 100, 101, 89, 85, 80]))
    assert events(ops) == [(1, LONG), (2, LONG), (4, SHORT), (5, LONG), (7, LONG)]
    strengths = [o.strength for o in ops if o is not None]
    # one level each, except 94 -> 101 (95 and 100) and the gap 101 -> 89 (100, 95, 90)
    assert strengths == [0.5, 0.5, 1.0, 0.5, 1.0]
    assert ops[7] is not None and "3 grid levels" in ops[7].reason


def test_grid_touching_a_level_then_bouncing_is_one_signal() -> None:
    ops = run(build("grid", lower=90, upper=110, levels=5), bars_of([102, 100, 102, 100]))
    assert events(ops) == [(1, LONG), (3, LONG)]  # leaving 100 upwards is not a cross


def test_grid_without_bounds_anchors_at_the_first_close() -> None:
    # band 0.1 around 100, 5 levels: 90, 95, 100, 105, 110 again.
    ops = run(build("grid", levels=5, band=0.1), bars_of([100, 99.9, 99, 105.5, 94.5]))
    # 100 -> 99.9 leaves the level (no cross); 99 -> 105.5 rises through 100 and 105;
    # 105.5 -> 94.5 falls through 105, 100 and 95.
    assert events(ops) == [(3, SHORT), (4, LONG)]
    assert [o.strength for o in ops if o is not None] == [1.0, 1.0]


def test_grid_flat_market_and_first_bar() -> None:
    assert events(run(build("grid"), bars_of([100.0] * 20))) == []
    assert run(build("grid"), [bar(100.0)]) == [None]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lower": 90}, "give both lower and upper"),
        ({"lower": 110, "upper": 90}, r"lower \(110.0\) must be below upper \(90.0\)"),
        ({"levels": 1}, r"'levels' = 1.*2 <= levels <= 1000"),
        ({"lower": -5, "upper": 10}, r"'lower' = -5.*0 < lower"),
    ],
)
def test_grid_parameters_are_validated(params: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build("grid", **params)


# --- news -----------------------------------------------------------------------------------


def _ctx(*items: tuple[timedelta, float, float]) -> StrategyContext:
    """A context whose sentiment has items published ``T0 - age`` with score and confidence."""
    sentiment = SentimentContext()
    for age, score, confidence in sorted(items, key=lambda x: -x[0]):
        sentiment.add(T0 - age, score, confidence)
    return StrategyContext("AAA", history=deque(maxlen=10), sentiment=sentiment)


def _news(ctx: StrategyContext, at: int = 0):  # type: ignore[no-untyped-def]
    return build("news").on_bar(bar(100.0, i=at, step=timedelta(hours=1)), ctx)


def test_news_strong_confident_fresh_news_goes_long_with_score_times_confidence() -> None:
    opinion = _news(_ctx((timedelta(hours=1), 0.8, 0.9)))
    assert opinion is not None
    assert opinion.direction is LONG
    assert opinion.strength == pytest.approx(0.8 * 0.9)
    assert opinion.confidence == pytest.approx(0.9)


def test_news_strong_negative_news_goes_short() -> None:
    opinion = _news(_ctx((timedelta(minutes=5), -0.9, 0.8)))
    assert opinion is not None and opinion.direction is SHORT
    assert opinion.strength == pytest.approx(0.72)


@pytest.mark.parametrize(
    ("score", "confidence"), [(0.7, 0.9), (0.69, 0.9), (0.9, 0.6), (-0.7, 0.9), (0.2, 1.0)]
)
def test_news_weak_or_unsure_news_has_no_opinion(score: float, confidence: float) -> None:
    assert _news(_ctx((timedelta(hours=1), score, confidence))) is None


def test_news_decays_after_four_hours_and_stops_after_max_age() -> None:
    six_hours = _news(_ctx((timedelta(hours=6), 0.8, 0.9)))
    assert six_hours is not None
    assert six_hours.strength == pytest.approx(0.8 * 0.9 * 0.5 ** ((6 - 4) / 4))
    assert _news(_ctx((timedelta(hours=25), 0.8, 0.9))) is None


def test_news_without_news_or_with_only_future_news_has_no_opinion() -> None:
    assert _news(_ctx()) is None
    assert NewsDriven(NewsParams()).on_bar(bar(100.0), None) is None
    assert _news(_ctx((-timedelta(hours=1), 0.9, 0.9))) is None  # published after the bar


def test_news_time_gap_makes_the_same_news_stale() -> None:
    ctx = _ctx((timedelta(hours=1), 0.8, 0.9))
    assert _news(ctx, at=0) is not None
    assert _news(ctx, at=30) is None  # the next bar comes 30 h later


def test_news_parameters_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"max_age_hours \(2.0\) must be at least fresh_hours"):
        build("news", max_age_hours=2)
    with pytest.raises(ConfigError, match=r"'min_score' = 1.5.*0 <= min_score < 1"):
        build("news", min_score=1.5)
