"""News sources: the file replay, live pollers behind the ``NewsSource`` port, de-duplication.

Every source yields :class:`tradebot.domain.Article` in ``published_at`` order. RSS and
Reddit live in :mod:`tradebot.adapters.rss` and :mod:`tradebot.adapters.reddit` (the
``news`` extra).
"""

from tradebot.adapters.news.dedup import Deduplicator, MemorySeenItems, dedup_keys
from tradebot.adapters.news.file_replay import FileReplaySource, content_hash
from tradebot.adapters.news.polling import Poller, PollingNewsSource
from tradebot.adapters.news.text import canonical_url, strip_html, url_key

__all__ = [
    "Deduplicator",
    "FileReplaySource",
    "MemorySeenItems",
    "Poller",
    "PollingNewsSource",
    "canonical_url",
    "content_hash",
    "dedup_keys",
    "strip_html",
    "url_key",
]
