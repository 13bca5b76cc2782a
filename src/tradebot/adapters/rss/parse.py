"""Feed bytes to :class:`~tradebot.domain.messages.Article`\\ s, with feedparser.

Rules that decide what an item becomes:

- **Text.** Title and summary (or the first content block) lose their HTML and folded
  whitespace; the body is cut at ``MAX_BODY_CHARS``. An entry without a title is skipped.
- **URL.** The entry's link (FeedBurner's ``origLink`` first, else ``link``, else an
  http(s) ``id``), made canonical: tracking parameters,
  fragment and default port go (see :mod:`tradebot.adapters.news.text`).
- **Time.** ``published``, else ``updated``, else ``created``, read as UTC. An entry with none
  of them is stamped with the fetch time, the moment we learned of it (never earlier, so a
  backtest of recorded feeds cannot see it too soon), and counted in ``undated``. A time in
  the future (a publisher's clock or zone error) is clamped to the fetch time.
- **Broken feeds.** Bad XML that feedparser's lenient parser still reads entries from is
  kept; bad XML with no entries, or a body that is not valid in its declared encoding and
  only readable as some 8-bit fallback, is a :class:`FeedParseError`: the whole feed is
  skipped this round rather than trusting text that may be garbled. (Valid UTF-8 under a
  wrong or defaulted declaration, as ``text/xml`` without a charset implies ASCII, is read.)
"""

from __future__ import annotations

import calendar
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from tradebot.adapters.news.file_replay import content_hash
from tradebot.adapters.news.text import canonical_url, strip_html
from tradebot.domain.errors import ConfigError
from tradebot.domain.messages import Article

__all__ = ["MAX_BODY_CHARS", "FeedParseError", "ParsedFeed", "parse_feed"]

MAX_BODY_CHARS = 5_000
_DATE_FIELDS = ("published_parsed", "updated_parsed", "created_parsed")
_ENCODING_PROBLEMS = ("CharacterEncodingOverride", "CharacterEncodingUnknown")
_HARMLESS = ("NonXMLContentType",)  # served as text/html or without a type: common, readable


class FeedParseError(Exception):
    """The feed's body cannot be trusted as a feed (one line in ``str``)."""


@dataclass(slots=True)
class ParsedFeed:
    """The articles of one fetch, and what was odd about it."""

    articles: list[Article] = field(default_factory=list)
    undated: int = 0
    skipped: int = 0
    warning: str = ""


def _feedparser() -> Any:
    try:
        import feedparser  # the news extra; imported when a feed is first parsed
    except ImportError as exc:
        raise ConfigError(
            "RSS needs feedparser, which is not installed", "pip install 'tradebot[news]'"
        ) from exc
    return feedparser


def parse_feed(
    body: bytes,
    *,
    source: str,
    fetched_at: datetime,
    content_type: str | None = None,
    base_url: str = "",
    symbols: tuple[str, ...] = (),
) -> ParsedFeed:
    """The entries of an RSS/Atom document as Articles (rules in the module docstring)."""
    headers = {"content-location": base_url} if base_url else {}
    if content_type:
        headers["content-type"] = content_type
    parsed = _feedparser().parse(io.BytesIO(body), response_headers=headers)
    result = ParsedFeed()
    for entry in parsed.entries:
        article = _article(entry, source, fetched_at, symbols, result)
        if article is None:
            result.skipped += 1
        else:
            result.articles.append(article)
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        name = type(problem).__name__
        decoded_as = str(parsed.get("encoding") or "").lower().replace("_", "-")
        if name in _ENCODING_PROBLEMS and decoded_as not in ("utf-8", "utf8"):
            raise FeedParseError(f"not valid in its declared encoding ({problem})")
        empty_but_valid = name in _HARMLESS and bool(parsed.get("version"))
        if not result.articles and not empty_but_valid:
            raise FeedParseError(f"not a feed: {name}: {problem}".replace("\n", " ")[:300])
        if name not in _HARMLESS:
            result.warning = f"malformed ({name}: {problem}); kept what the lenient parser read"
    if not result.articles and not parsed.get("version"):
        raise FeedParseError(f"not an RSS or Atom document ({len(body):,} bytes)")
    return result


def _article(
    entry: Mapping[str, Any],
    source: str,
    fetched_at: datetime,
    symbols: tuple[str, ...],
    result: ParsedFeed,
) -> Article | None:
    title = strip_html(str(entry.get("title") or ""), limit=1_000)
    if not title:
        return None
    body = strip_html(_summary(entry), limit=MAX_BODY_CHARS)
    published = _published(entry)
    if published is None:
        result.undated += 1
        published = fetched_at
    published = min(published, fetched_at)
    try:
        return Article(
            source=source,
            url=canonical_url(_link(entry)),
            title=title,
            body=body,
            published_at=published,
            content_hash=content_hash(title, body),
            symbols_hint=symbols,
        )
    except ValidationError:
        return None


def _summary(entry: Mapping[str, Any]) -> str:
    summary = entry.get("summary")
    if summary:
        return str(summary)
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        return str(content[0].get("value") or "")
    return ""


def _link(entry: Mapping[str, Any]) -> str:
    # FeedBurner (Reuters and many others) links to its own redirector; the story is here.
    link = str(entry.get("feedburner_origlink") or entry.get("link") or "")
    if link:
        return link
    guid = str(entry.get("id") or "")
    return guid if guid.lower().startswith(("http://", "https://")) else ""


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for name in _DATE_FIELDS:
        moment = entry.get(name)
        if moment is None:
            continue
        try:
            return datetime.fromtimestamp(calendar.timegm(moment), tz=UTC)
        except (OverflowError, ValueError, TypeError, OSError):
            continue
    return None
