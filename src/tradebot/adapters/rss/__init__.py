"""RSS and Atom news: bounded conditional fetches, feedparser, canonical URLs, plain text.

``RssPoller(feeds).poll(now)`` returns the new articles of the feeds due at ``now``; wrap
pollers in :class:`tradebot.adapters.news.polling.PollingNewsSource` for the ``NewsSource``
port. Invariants in ``README.md``.
"""

from tradebot.adapters.rss.feeds import DEFAULT_FEEDS, Feed
from tradebot.adapters.rss.fetch import FetchError, FetchResult, fetch
from tradebot.adapters.rss.parse import FeedParseError, ParsedFeed, parse_feed
from tradebot.adapters.rss.poller import FeedStatus, RssPoller

__all__ = [
    "DEFAULT_FEEDS",
    "Feed",
    "FeedParseError",
    "FeedStatus",
    "FetchError",
    "FetchResult",
    "ParsedFeed",
    "RssPoller",
    "fetch",
    "parse_feed",
]
