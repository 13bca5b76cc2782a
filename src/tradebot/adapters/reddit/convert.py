"""A Reddit submission to an :class:`~tradebot.domain.messages.Article`.

A link post is about the page it links to, so its URL is that page's canonical URL: the same
Reuters story from RSS and from r/stocks then shares a de-duplication key. A self post's URL
is its permalink. Stickied posts (moderators' daily threads), posts under the score
threshold, NSFW posts and removed or deleted ones carry no news and are skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from tradebot.adapters.news.file_replay import content_hash
from tradebot.adapters.news.text import canonical_url, fold_whitespace, strip_html
from tradebot.domain.messages import Article

__all__ = ["MAX_BODY_CHARS", "REDDIT_URL", "submission_article"]

MAX_BODY_CHARS = 5_000
REDDIT_URL = "https://www.reddit.com"
_GONE = ("[removed]", "[deleted]")


def submission_article(submission: Any, *, min_score: int, now: datetime) -> Article | None:
    """The article of ``submission`` (an asyncpraw ``Submission`` or anything with its
    attributes), or ``None`` when it is skipped (see the module docstring)."""
    if getattr(submission, "stickied", False) or getattr(submission, "over_18", False):
        return None
    score = getattr(submission, "score", 0)
    if not isinstance(score, int) or score < min_score:
        return None
    title = fold_whitespace(str(getattr(submission, "title", "") or ""))[:1_000]
    body = strip_html(str(getattr(submission, "selftext", "") or ""), limit=MAX_BODY_CHARS)
    if not title or title in _GONE:
        return None
    if body in _GONE:
        body = ""
    permalink = str(getattr(submission, "permalink", "") or "")
    link = str(getattr(submission, "url", "") or "")
    is_self = bool(getattr(submission, "is_self", True))
    url = canonical_url(link if not is_self and link else REDDIT_URL + permalink)
    try:
        created = datetime.fromtimestamp(float(getattr(submission, "created_utc", 0.0)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        created = now
    subreddit = str(getattr(submission, "subreddit", "") or "")
    try:
        return Article(
            source=f"reddit:r/{subreddit}" if subreddit else "reddit",
            url=url,
            title=title,
            body=body,
            published_at=min(created, now),
            content_hash=content_hash(title, body),
        )
    except ValidationError:
        return None
