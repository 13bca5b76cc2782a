"""Properties every strategy holds, on random bar series with price and time gaps:

* no look-ahead — the opinions for bars 0..t are the same whether or not bars after t (and
  news published after bar t) follow;
* the bars and the history it is shown are left untouched;
* no opinion before ``warmup_period`` bars; strength and confidence in 0..1, with a reason;
* ``reset()`` gives back a fresh instance.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradebot.domain import Bar, Direction, Timeframe
from tradebot.sentiment.context import SentimentContext
from tradebot.strategies import (
    BUILTINS,
    Opinion,
    Strategy,
    StrategyContext,
    StrategyFactory,
    make_factory,
)

T0 = datetime(2024, 1, 2, 22, 30, tzinfo=UTC)

# Defaults, plus small windows so that 10..160 bars exercise every signal path.
CONFIGS: list[tuple[str, dict[str, Any]]] = [(cls.name, {}) for cls in BUILTINS] + [
    ("sma_cross", {"fast": 2, "slow": 5}),
    ("momentum", {"period": 3, "volume_period": 2}),
    ("mean_reversion", {"period": 3, "oversold": 40, "overbought": 60}),
    ("macd", {"fast": 2, "slow": 4, "signal": 2}),
    ("bollinger", {"period": 4, "k": 1.0, "min_bandwidth": 0.0}),
    ("ema_cross", {"fast": 2, "slow": 4}),
    ("vwap", {"threshold": 0.002, "min_session_bars": 2}),
    ("volume_profile", {"window": 10, "bins": 5}),
    ("grid", {"levels": 21, "band": 0.05}),
    ("grid", {"lower": 95, "upper": 105, "levels": 5}),
    ("news", {"min_score": 0.3, "min_confidence": 0.3, "fresh_hours": 1, "max_age_hours": 3}),
]
IDS = [f"{name}{'-small' if params else ''}" for name, params in CONFIGS]


@functools.cache
def _factory(index: int) -> StrategyFactory:
    """Factories are built once per config: the registry scan costs milliseconds."""
    name, params = CONFIGS[index]
    return make_factory(name, params)


INDEXED = list(range(len(CONFIGS)))


@st.composite
def bar_series(draw: st.DrawFn) -> list[Bar]:
    n = draw(st.integers(min_value=1, max_value=160))
    moves = draw(st.lists(st.integers(-250, 250), min_size=n, max_size=n))  # basis points
    gaps = draw(st.lists(st.integers(-80, 80), min_size=n, max_size=n))  # open vs last close
    volumes = draw(
        st.lists(st.sampled_from([0.0, 1.0, 50.0, 1000.0, 7777.0]), min_size=n, max_size=n)
    )
    steps = draw(
        st.lists(st.sampled_from([1, 1, 1, 7, 60, 600, 1440, 4000]), min_size=n, max_size=n)
    )
    flat = draw(st.booleans())
    bars: list[Bar] = []
    close, ts = 100.0, T0
    for move, gap, volume, step in zip(moves, gaps, volumes, steps, strict=True):
        open_ = close if flat else max(0.01, round(close * (1 + gap / 10_000), 2))
        close = close if flat else max(0.01, round(open_ * (1 + move / 10_000), 2))
        ts += timedelta(minutes=step)
        high, low = max(open_, close), min(open_, close)
        bars.append(Bar("AAA", Timeframe.M1, ts, open_, high * 1.001, low * 0.999, close, volume))
    return bars


@st.composite
def news_items(draw: st.DrawFn) -> list[tuple[datetime, float, float]]:
    items = draw(
        st.lists(
            st.tuples(
                st.integers(-120, 6000),  # minutes after T0
                st.one_of(st.floats(-1, 1), st.sampled_from([-0.95, 0.95])),
                st.one_of(st.floats(0, 1), st.just(0.9)),
            ),
            max_size=25,
        )
    )
    return sorted((T0 + timedelta(minutes=m), s, c) for m, s, c in items)


def _run(
    strategy: Strategy, bars: Sequence[Bar], news: Sequence[tuple[datetime, float, float]]
) -> list[Opinion | None]:
    """All ``news`` is in the context from the start, as if already delivered: a strategy
    must itself ignore whatever was published after the bar it is looking at."""
    sentiment = SentimentContext()
    for ts, score, confidence in news:
        sentiment.add(ts, score, confidence)
    ctx = StrategyContext(
        "AAA", history=deque(maxlen=strategy.warmup_period + 1), sentiment=sentiment
    )
    out = []
    for bar in bars:
        ctx.history.append(bar)
        out.append(strategy.on_bar(bar, ctx))
    return out


@pytest.mark.parametrize("config", INDEXED, ids=IDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bars=bar_series(), news=news_items(), data=st.data())
def test_opinions_up_to_t_ignore_later_bars_and_later_news(
    config: int,
    bars: list[Bar],
    news: list[tuple[datetime, float, float]],
    data: st.DataObject,
) -> None:
    factory = _factory(config)
    t = data.draw(st.integers(0, len(bars) - 1), label="t")
    whole = _run(factory("AAA"), bars, news)
    cut = bars[t].ts
    prefix = _run(factory("AAA"), bars[: t + 1], [item for item in news if item[0] <= cut])
    assert whole[: t + 1] == prefix


@pytest.mark.parametrize("config", INDEXED, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(bars=bar_series(), news=news_items())
def test_bars_and_history_are_never_changed(
    config: int, bars: list[Bar], news: list[tuple[datetime, float, float]]
) -> None:
    originals = [dataclasses.replace(b) for b in bars]
    strategy = _factory(config)("AAA")
    ctx = StrategyContext("AAA", history=deque(maxlen=50))
    for ts, score, confidence in news:
        ctx.sentiment.add(ts, score, confidence)
    for bar in bars:
        ctx.history.append(bar)
        before = list(ctx.history)
        strategy.on_bar(bar, ctx)
        assert list(ctx.history) == before
        assert all(a is b for a, b in zip(ctx.history, before, strict=True))
    assert bars == originals


@pytest.mark.parametrize("config", INDEXED, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(bars=bar_series(), news=news_items())
def test_warmup_bounds_and_reset(
    config: int, bars: list[Bar], news: list[tuple[datetime, float, float]]
) -> None:
    strategy = _factory(config)("AAA")
    first = _run(strategy, bars, news)
    for i, opinion in enumerate(first):
        if opinion is None:
            continue
        assert i >= strategy.warmup_period - 1, (i, strategy.warmup_period)
        assert opinion.direction in (Direction.LONG, Direction.SHORT)
        assert 0.0 <= opinion.strength <= 1.0
        assert 0.0 <= opinion.confidence <= 1.0
        assert opinion.reason
    strategy.reset()
    assert _run(strategy, bars, news) == first
