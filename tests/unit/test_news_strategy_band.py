"""The news-driven strategy reads the news that has a direction: neutral chatter on a busy
ticker is counted, but does not cancel strong news."""

from __future__ import annotations

from collections import deque
from datetime import timedelta

import pytest

from tests.unit.test_strategies_support import LONG, SHORT, T0, bar, build
from tradebot.domain import ConfigError
from tradebot.sentiment.context import SentimentContext
from tradebot.strategies import StrategyContext


def _ctx(*items: tuple[timedelta, float, float]) -> StrategyContext:
    """Sentiment items published ``T0 - age`` with score and confidence."""
    sentiment = SentimentContext()
    for age, score, confidence in sorted(items, key=lambda x: -x[0]):
        sentiment.add(T0 - age, score, confidence)
    return StrategyContext("AAA", history=deque(maxlen=10), sentiment=sentiment)


CHATTER = tuple((timedelta(minutes=m), 0.0, 0.85) for m in (10, 20, 30, 40, 50))
"""Five tweets without a sentiment term: the lexicon's neutral, 0.85 confident."""


def test_chatter_does_not_cancel_strong_news() -> None:
    ctx = _ctx((timedelta(hours=1), 0.8, 0.9), *CHATTER)
    opinion = build("news").on_bar(bar(100.0), ctx)
    assert opinion is not None and opinion.direction is LONG
    assert opinion.strength == pytest.approx(0.8 * 0.9)
    assert "6 items" in opinion.reason
    averaged = build("news", neutral_band=0.0).on_bar(bar(100.0), ctx)
    assert averaged is None, "averaged with the chatter the same news is too weak"


def test_strong_bad_news_among_chatter_goes_short() -> None:
    ctx = _ctx((timedelta(hours=2), -0.9, 0.8), *CHATTER)
    opinion = build("news").on_bar(bar(100.0), ctx)
    assert opinion is not None and opinion.direction is SHORT


def test_staleness_is_the_age_of_the_newest_directional_item() -> None:
    ctx = _ctx((timedelta(hours=6), 0.8, 0.9), *CHATTER)
    opinion = build("news").on_bar(bar(100.0), ctx)
    assert opinion is not None
    assert opinion.strength == pytest.approx(0.8 * 0.9 * 0.5 ** ((6 - 4) / 4))
    stale = _ctx((timedelta(hours=30), 0.8, 0.9), *CHATTER)
    assert build("news").on_bar(bar(100.0), stale) is None


def test_chatter_alone_and_weak_news_have_no_opinion() -> None:
    assert build("news").on_bar(bar(100.0), _ctx(*CHATTER)) is None
    weak = _ctx((timedelta(hours=1), 0.5, 0.9), (timedelta(hours=2), 0.6, 0.9), *CHATTER)
    assert build("news").on_bar(bar(100.0), weak) is None


def test_the_band_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"'neutral_band' = 1.0.*0 <= neutral_band < 1"):
        build("news", neutral_band=1.0)
