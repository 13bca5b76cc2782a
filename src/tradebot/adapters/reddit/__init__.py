"""Reddit posts as news, through asyncpraw (the ``news`` extra, imported on first poll).

``RedditPoller(client_id=..., client_secret=...).poll(now)``; without credentials it is off
with one log line. Invariants in ``README.md``.
"""

from tradebot.adapters.reddit.convert import submission_article
from tradebot.adapters.reddit.poller import DEFAULT_SUBREDDITS, RedditEndpoints, RedditPoller

__all__ = ["DEFAULT_SUBREDDITS", "RedditEndpoints", "RedditPoller", "submission_article"]
