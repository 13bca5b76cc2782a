"""``RssPoller``: polls each feed when it is due and returns what is new, time injected.

Each feed has its own interval and its own validators (ETag, Last-Modified), so an unchanged
feed costs one 304. A feed that fails (timeout, HTTP error, too big, not a feed, bad
encoding) is logged in one line and skipped; the other feeds of the same poll go on and
what they returned is kept. A failing feed backs off (interval × 2^failures, at most
``max_backoff_s``, or longer if the server sent ``Retry-After``) so a dead feed does not fill
the log. The poller never raises for a feed's sake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tradebot.adapters.rss.feeds import DEFAULT_FEEDS, Feed
from tradebot.adapters.rss.fetch import DEFAULT_USER_AGENT, FetchError, FetchResult, fetch
from tradebot.adapters.rss.parse import FeedParseError, parse_feed
from tradebot.domain.errors import ConfigError
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger

__all__ = ["FeedStatus", "Fetcher", "RssPoller"]

Fetcher = Callable[..., FetchResult]
"""The shape of :func:`tradebot.adapters.rss.fetch.fetch` (tests may wrap it)."""


@dataclass(slots=True)
class FeedStatus:
    """What the poller knows about one feed between polls."""

    feed: Feed
    etag: str | None = None
    last_modified: str | None = None
    due: datetime | None = None
    failures: int = 0
    fetched: int = 0
    not_modified: int = 0
    articles: int = 0
    last_error: str = ""


class RssPoller:
    """Polls RSS/Atom feeds (see the module docstring). One poller is used by one thread."""

    name = "rss"

    def __init__(
        self,
        feeds: Sequence[Feed] = DEFAULT_FEEDS,
        *,
        timeout_s: float = 10.0,
        max_bytes: int = 5_000_000,
        user_agent: str = DEFAULT_USER_AGENT,
        max_backoff_s: float = 3_600.0,
        fetcher: Fetcher = fetch,
    ) -> None:
        names = [feed.name for feed in feeds]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigError(f"feed name {duplicated[0]!r} is used twice", "name feeds uniquely")
        self.feeds = {feed.name: FeedStatus(feed) for feed in feeds}
        self._timeout_s = timeout_s
        self._max_bytes = max_bytes
        self._user_agent = user_agent
        self._max_backoff = timedelta(seconds=max_backoff_s)
        self._fetch = fetcher
        self._log = get_logger("news-fetcher")

    def next_due(self) -> datetime | None:
        """When the earliest feed is due (``None``: some feed was never polled, so now)."""
        dues = [status.due for status in self.feeds.values()]
        if any(due is None for due in dues):
            return None
        return min(due for due in dues if due is not None)

    def poll(self, now: datetime) -> list[Article]:
        """Fetch every feed due at ``now``; the new articles of all of them."""
        articles: list[Article] = []
        for status in self.feeds.values():
            if status.due is None or status.due <= now:
                articles.extend(self._poll_feed(status, now))
        return articles

    def _poll_feed(self, status: FeedStatus, now: datetime) -> list[Article]:
        feed = status.feed
        try:
            result = self._fetch(
                feed.url,
                etag=status.etag,
                last_modified=status.last_modified,
                timeout_s=self._timeout_s,
                max_bytes=self._max_bytes,
                user_agent=self._user_agent,
            )
            if result.status == 304:
                status.not_modified += 1
                self._succeeded(status, now)
                return []
            parsed = parse_feed(
                result.body,
                source=f"rss:{feed.name}",
                fetched_at=now,
                content_type=result.content_type,
                base_url=result.url,
                symbols=feed.symbols,
            )
        except (FetchError, FeedParseError) as exc:
            self._failed(status, now, str(exc), getattr(exc, "retry_after", None))
            return []
        except Exception as exc:  # a parser bug must cost one feed, never the poll
            self._failed(status, now, f"{type(exc).__name__}: {exc}", None)
            return []
        status.etag, status.last_modified = result.etag, result.last_modified
        status.fetched += 1
        status.articles += len(parsed.articles)
        if parsed.warning or parsed.undated:
            self._log.info(
                "feed read with remarks",
                feed=feed.name,
                remark=parsed.warning,
                undated_stamped_with_fetch_time=parsed.undated,
                skipped_entries=parsed.skipped,
            )
        self._succeeded(status, now)
        return parsed.articles

    def _succeeded(self, status: FeedStatus, now: datetime) -> None:
        status.failures = 0
        status.last_error = ""
        status.due = now + timedelta(seconds=status.feed.interval_s)

    def _failed(
        self, status: FeedStatus, now: datetime, reason: str, retry_after: float | None
    ) -> None:
        status.failures += 1
        status.last_error = reason
        interval = timedelta(seconds=status.feed.interval_s)
        backoff = min(interval * 2 ** min(status.failures - 1, 16), self._max_backoff)
        if retry_after is not None:
            backoff = max(backoff, timedelta(seconds=retry_after))
        status.due = now + backoff
        self._log.warning(
            "feed skipped",
            feed=status.feed.name,
            url=status.feed.url,
            reason=reason,
            failures=status.failures,
            retry_in_s=int(backoff.total_seconds()),
        )
