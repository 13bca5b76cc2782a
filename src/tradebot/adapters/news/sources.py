"""Live news sources from settings: what the composition root calls for paper and live.

``build_pollers(settings.news)`` gives the RSS poller (when feeds are configured) and the
Reddit poller (off, with one log line, until its credentials are set);
``build_live_source(...)`` wraps them, with persisted de-duplication, behind the
``NewsSource`` port. Secrets are unwrapped here and nowhere else.
"""

from __future__ import annotations

from tradebot.adapters.news.dedup import Deduplicator
from tradebot.adapters.news.polling import Poller, PollingNewsSource
from tradebot.adapters.reddit.poller import RedditPoller
from tradebot.adapters.rss.feeds import Feed
from tradebot.adapters.rss.poller import RssPoller
from tradebot.config import NewsSettings
from tradebot.ports import Clock, SeenItems

__all__ = ["build_live_source", "build_pollers"]


def build_pollers(news: NewsSettings) -> list[Poller]:
    """The pollers ``news`` asks for (a ``ConfigError`` for a bad feed)."""
    pollers: list[Poller] = []
    if news.feeds:
        feeds = [Feed(f.name, f.url, f.interval_s, f.symbols) for f in news.feeds]
        pollers.append(
            RssPoller(
                feeds,
                timeout_s=news.fetch_timeout_s,
                max_bytes=news.max_feed_bytes,
                user_agent=news.user_agent,
            )
        )
    reddit = news.reddit
    pollers.append(
        RedditPoller(
            client_id=reddit.client_id.get_secret_value() if reddit.client_id else None,
            client_secret=reddit.client_secret.get_secret_value() if reddit.client_secret else None,
            user_agent=reddit.user_agent,
            subreddits=reddit.subreddits,
            listing=reddit.listing,
            limit=reddit.limit,
            min_score=reddit.min_score,
            interval_s=reddit.interval_s,
        )
    )
    return pollers


def build_live_source(news: NewsSettings, clock: Clock, seen: SeenItems) -> PollingNewsSource:
    """Every configured live source, de-duplicated through ``seen`` (the store)."""
    dedup = Deduplicator(seen, title_words=news.dedup_title_words)
    return PollingNewsSource(build_pollers(news), clock, dedup=dedup)
