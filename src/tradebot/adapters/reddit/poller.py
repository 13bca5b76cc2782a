"""``RedditPoller``: hot or new posts of chosen subreddits, through asyncpraw, time injected.

Credentials (a Reddit "script" app's client id and secret) come from the settings, that is
from the environment (``TRADEBOT_NEWS__REDDIT__CLIENT_ID`` / ``..._CLIENT_SECRET``). Without
them, or without asyncpraw installed, the poller is off: one log line at start, then every
poll returns nothing and the other sources keep running. A subreddit that fails (network,
HTTP status, refused credentials) is logged in one line and skipped; when all fail the
poller backs off (interval × 2^failures, capped).

asyncpraw is asynchronous; the poller owns one event loop (and one Reddit session on it) and
runs each poll to completion on it, so the kernel can call :meth:`poll` like any other
poller. Call :meth:`close` when done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from tradebot.adapters.reddit.convert import submission_article
from tradebot.domain.errors import ConfigError
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger

__all__ = ["DEFAULT_SUBREDDITS", "RedditEndpoints", "RedditPoller"]

DEFAULT_SUBREDDITS = ("wallstreetbets", "stocks", "investing")
Listing = Literal["hot", "new"]


@dataclass(frozen=True, slots=True)
class RedditEndpoints:
    """Where Reddit is: the defaults, or a local server in tests (asyncpraw's config keys)."""

    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    short_url: str = "https://redd.it"


class RedditPoller:
    """Polls subreddits (see the module docstring). One poller is used by one thread."""

    name = "reddit"

    def __init__(
        self,
        *,
        client_id: str | None,
        client_secret: str | None,
        user_agent: str = "tradebot/0.1 news-fetcher",
        subreddits: Sequence[str] = DEFAULT_SUBREDDITS,
        listing: Listing = "hot",
        limit: int = 50,
        min_score: int = 10,
        interval_s: float = 300.0,
        max_backoff_s: float = 3_600.0,
        timeout_s: float = 16.0,
        endpoints: RedditEndpoints = RedditEndpoints(),
    ) -> None:
        if listing not in ("hot", "new"):
            raise ConfigError(f"unknown Reddit listing {listing!r}", "use hot or new")
        if not 1 <= limit <= 100:
            raise ConfigError(f"Reddit limit {limit} is outside 1..100", "Reddit pages hold 100")
        self.subreddits = tuple(s.strip().removeprefix("r/") for s in subreddits if s.strip())
        self._listing: Listing = listing
        self._limit = limit
        self._min_score = min_score
        self._interval = timedelta(seconds=interval_s)
        self._max_backoff = timedelta(seconds=max_backoff_s)
        self._log = get_logger("news-fetcher")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reddit: Any = None
        self.due: datetime | None = None
        self.failures = 0
        self.last_errors: dict[str, str] = {}
        self.off_reason = _off_reason(client_id, client_secret)
        self._config: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "user_agent": user_agent,
            "oauth_url": endpoints.oauth_url,
            "reddit_url": endpoints.reddit_url,
            "short_url": endpoints.short_url,
            "timeout": int(timeout_s),
            "check_for_updates": False,  # asyncpraw would ask PyPI at start otherwise
            "check_for_async": False,
        }
        if self.off_reason:
            self._log.warning("reddit source off", reason=self.off_reason)

    @property
    def enabled(self) -> bool:
        return not self.off_reason

    def next_due(self) -> datetime | None:
        """When the next poll is due (``None``: now; far future when the source is off)."""
        return self.due if self.enabled else _NEVER

    def poll(self, now: datetime) -> list[Article]:
        """New posts at ``now`` if due (nothing when off or not due)."""
        if not self.enabled or (self.due is not None and now < self.due):
            return []
        if self._loop is None:
            self._loop = asyncio.new_event_loop()
        return self._loop.run_until_complete(self.apoll(now))

    async def apoll(self, now: datetime) -> list[Article]:
        """:meth:`poll` for callers that run their own event loop."""
        if not self.enabled:
            return []
        articles: list[Article] = []
        failed = 0
        for subreddit in self.subreddits:
            try:
                articles.extend(await self._fetch(subreddit, now))
                self.last_errors.pop(subreddit, None)
            except Exception as exc:  # asyncprawcore, aiohttp, JSON: one subreddit only
                failed += 1
                self.last_errors[subreddit] = f"{type(exc).__name__}: {exc}"[:300]
                self._log.warning(
                    "subreddit skipped", subreddit=subreddit, reason=self.last_errors[subreddit]
                )
        self._schedule(now, all_failed=failed == len(self.subreddits) and failed > 0)
        return articles

    async def _fetch(self, subreddit: str, now: datetime) -> list[Article]:
        if self._reddit is None:
            import asyncpraw  # the news extra; checked in _off_reason

            self._reddit = asyncpraw.Reddit(**self._config)
        handle = await self._reddit.subreddit(subreddit)
        listing = handle.hot if self._listing == "hot" else handle.new
        found: list[Article] = []
        async for submission in listing(limit=self._limit):
            article = submission_article(submission, min_score=self._min_score, now=now)
            if article is not None:
                found.append(article)
        return found

    def _schedule(self, now: datetime, *, all_failed: bool) -> None:
        if all_failed:
            self.failures += 1
            backoff = self._interval * 2 ** min(self.failures - 1, 16)
            self.due = now + min(backoff, self._max_backoff)
        else:
            self.failures = 0
            self.due = now + self._interval

    def close(self) -> None:
        """Close the Reddit session and the poller's event loop."""
        if self._loop is None:
            return
        if self._reddit is not None:
            self._loop.run_until_complete(self._reddit.close())
            self._reddit = None
        self._loop.close()
        self._loop = None


_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def _off_reason(client_id: str | None, client_secret: str | None) -> str:
    missing = [
        name
        for name, value in (("CLIENT_ID", client_id), ("CLIENT_SECRET", client_secret))
        if not (value or "").strip()
    ]
    if missing:
        names = " and ".join(f"TRADEBOT_NEWS__REDDIT__{name}" for name in missing)
        return f"no Reddit credentials: set {names} (a Reddit 'script' app's id and secret)"
    try:
        import asyncpraw  # noqa: F401  (only whether it is there)
    except ImportError:
        return "asyncpraw is not installed: pip install 'tradebot[news]'"
    return ""
