"""The bundled StockNet tweets replay sorted, de-duplicated, and aligned with the bars."""

from __future__ import annotations

from datetime import UTC, datetime

from tradebot.adapters.news import FileReplaySource
from tradebot.data import sample_news_file

STOCKNET = {"AAPL", "AMZN", "BABA", "BAC", "FB", "GOOG", "INTC", "JPM", "MSFT", "PCLN"}


def test_bundled_tweets_replay_sorted_and_unique() -> None:
    source = FileReplaySource(sample_news_file())
    articles = list(source.articles())
    assert source.skipped == 0
    assert len(articles) > 30_000
    stamps = [a.published_at for a in articles]
    assert stamps == sorted(stamps)
    assert stamps[0] >= datetime(2014, 1, 1, tzinfo=UTC)
    assert stamps[-1] < datetime(2016, 1, 1, tzinfo=UTC)
    keys = [(a.content_hash, a.symbols_hint) for a in articles]
    assert len(keys) == len(set(keys))
    assert {s for a in articles for s in a.symbols_hint} == STOCKNET
    assert all(a.source == "twitter" and a.url.startswith("https://twitter.com/") for a in articles)


def test_bundled_tweets_filter_by_symbol_and_window() -> None:
    source = FileReplaySource(
        sample_news_file(),
        start=datetime(2015, 3, 2),
        end=datetime(2015, 3, 2),
        symbols=["BAC"],
    )
    articles = list(source.articles())
    assert 0 < len(articles) <= 10  # at most 10 per symbol and day in the bundle
    assert all(a.symbols_hint == ("BAC",) for a in articles)
    assert all(a.published_at.date() == datetime(2015, 3, 2).date() for a in articles)
