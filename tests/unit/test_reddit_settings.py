"""News settings: Reddit credentials from the environment, masked, and the pollers they build."""

from __future__ import annotations

import pytest

from tradebot.adapters.news.sources import build_live_source, build_pollers
from tradebot.adapters.reddit import RedditPoller
from tradebot.adapters.rss import DEFAULT_FEEDS, RssPoller
from tradebot.config import load_settings, masked_dump
from tradebot.domain.errors import ConfigError
from tradebot.testing import ManualClock, MemorySeenItems


def test_without_credentials_reddit_is_off_and_rss_runs_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRADEBOT_NEWS__REDDIT__CLIENT_ID", raising=False)
    monkeypatch.delenv("TRADEBOT_NEWS__REDDIT__CLIENT_SECRET", raising=False)
    rss, reddit = build_pollers(load_settings().news)
    assert isinstance(rss, RssPoller) and isinstance(reddit, RedditPoller)
    assert [s.feed for s in rss.feeds.values()] == list(DEFAULT_FEEDS)
    assert not reddit.enabled
    assert reddit.subreddits == ("wallstreetbets", "stocks", "investing")


def test_credentials_come_from_the_environment_and_are_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEBOT_NEWS__REDDIT__CLIENT_ID", "app-id-123")
    monkeypatch.setenv("TRADEBOT_NEWS__REDDIT__CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("TRADEBOT_NEWS__REDDIT__LISTING", "new")
    settings = load_settings()
    _, reddit = build_pollers(settings.news)
    assert isinstance(reddit, RedditPoller) and reddit.enabled
    shown = str(masked_dump(settings))
    assert "s3cret-value" not in shown and "app-id-123" not in shown
    source = build_live_source(settings.news, ManualClock(), MemorySeenItems())
    assert source.rounds == 0


def test_bad_news_settings_are_one_line_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEBOT_NEWS__REDDIT__LISTING", "top")
    with pytest.raises(ConfigError, match=r"news\.reddit\.listing"):
        load_settings()
    monkeypatch.delenv("TRADEBOT_NEWS__REDDIT__LISTING")
    with pytest.raises(ConfigError, match="interval_s"):
        load_settings(news={"feeds": [{"name": "x", "url": "https://a.com/rss", "interval_s": 5}]})
    settings = load_settings(news={"feeds": [{"name": "x", "url": "file:///etc/passwd"}]})
    with pytest.raises(ConfigError, match="not an http"):
        build_pollers(settings.news)
