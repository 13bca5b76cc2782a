"""Which feeds to poll: a name, an http(s) URL, how often, and symbols every item is about.

The defaults (``tradebot.config.DEFAULT_NEWS_FEEDS``, defaults live in one place) are the
financial feeds of the original plan (Yahoo Finance, MarketWatch, SEC EDGAR) plus CNBC's
finance feed. Reuters, also named there, retired its public RSS feeds in
2020; a URL that only ever fails would only fill the log, so it is not a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tradebot.config import DEFAULT_NEWS_FEEDS
from tradebot.domain.errors import ConfigError

__all__ = ["DEFAULT_FEEDS", "Feed"]

MIN_INTERVAL_S = 30
"""Polling a publisher more often than this gets a client blocked; no news is that urgent."""


@dataclass(frozen=True, slots=True)
class Feed:
    """One RSS or Atom feed. ``symbols`` are hints put on every item (a per-ticker feed)."""

    name: str
    url: str
    interval_s: int = 300
    symbols: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"feed {self.name!r}: {self.url!r} is not an http(s) URL",
                "give the feed's full http:// or https:// address",
            )
        if not self.name.strip():
            raise ConfigError(f"feed {self.url!r} has no name", "name every feed")
        if self.interval_s < MIN_INTERVAL_S:
            raise ConfigError(
                f"feed {self.name!r}: interval {self.interval_s}s is under {MIN_INTERVAL_S}s",
                f"poll every {MIN_INTERVAL_S} seconds or less often",
            )


DEFAULT_FEEDS: tuple[Feed, ...] = tuple(
    Feed(feed.name, feed.url, feed.interval_s, feed.symbols) for feed in DEFAULT_NEWS_FEEDS
)
