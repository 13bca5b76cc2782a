"""Reddit through asyncpraw against a local server speaking Reddit's OAuth and listing JSON."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tradebot.adapters.news.dedup import Deduplicator, MemorySeenItems
from tradebot.adapters.news.polling import PollingNewsSource
from tradebot.adapters.news.text import url_key
from tradebot.adapters.reddit import RedditEndpoints, RedditPoller
from tradebot.adapters.rss import Feed, RssPoller
from tradebot.testing import ManualClock
from tradebot.testing.http import LocalHttpServer, Reply, Responder

# asyncprawcore still passes aiohttp's deprecated BasicAuth; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning")

FIXTURES = Path(__file__).parent.parent / "fixtures" / "news"
NOW = datetime(2021, 5, 1, 12, 0, tzinfo=UTC)
TOKEN = {"access_token": "-tok3n", "token_type": "bearer", "expires_in": 86400, "scope": "*"}


def _json(payload: object, status: int = 200) -> Reply:
    return Reply(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json; charset=UTF-8"},
    )


def _listing(file: str) -> Responder:
    """The fixture's page; asked for the page after it (``after=``), the empty last page."""
    first = _json(json.loads((FIXTURES / file).read_text()))
    last = _json({"kind": "Listing", "data": {"after": None, "dist": 0, "children": []}})
    return lambda request: last if "after" in request.query else first


@pytest.fixture
def reddit() -> Iterator[LocalHttpServer]:
    with LocalHttpServer() as server:
        server.routes["/api/v1/access_token"] = _json(TOKEN)
        server.routes["/r/stocks/hot"] = _listing("reddit_stocks_hot.json")
        server.routes["/r/wallstreetbets/new"] = _listing("reddit_wallstreetbets_new.json")
        yield server


def _poller(server: LocalHttpServer, **kwargs: object) -> RedditPoller:
    options: dict[str, object] = {
        "client_id": "my-app-id",
        "client_secret": "my-app-secret",
        "endpoints": RedditEndpoints(server.base_url, server.base_url, server.base_url),
        "timeout_s": 5.0,
        **kwargs,
    }
    return RedditPoller(**options)  # type: ignore[arg-type]


def test_hot_posts_become_articles_with_oauth_done_right(reddit: LocalHttpServer) -> None:
    poller = _poller(reddit, subreddits=["stocks"], listing="hot", limit=25, min_score=10)
    try:
        articles = poller.poll(NOW)
    finally:
        poller.close()

    assert [a.title for a in articles] == [
        "Apple blows out earnings: $AAPL revenue up 54% on iPhone 12",
        "Apple to establish North Carolina campus, increase U.S. spending targets",
    ]  # stickied thread, score 3 and [removed] skipped
    self_post, link_post = articles
    assert self_post.source == "reddit:r/stocks"
    assert self_post.url.startswith("https://www.reddit.com/r/stocks/comments/n0q7kd/")
    assert "Buyback raised to $90B" in self_post.body
    assert self_post.published_at == datetime.fromtimestamp(1619647391, tz=UTC)
    assert link_post.url == "https://www.reuters.com/article/us-apple-northcarolina-idUSKBN2CD1DU"

    token_request, listing_request, *_next_pages = reddit.requests
    expected = base64.b64encode(b"my-app-id:my-app-secret").decode()
    assert token_request.method == "POST" and token_request.path == "/api/v1/access_token"
    assert token_request.headers["authorization"] == f"Basic {expected}"
    assert b"grant_type=client_credentials" in token_request.body
    assert listing_request.path == "/r/stocks/hot"
    assert listing_request.headers["authorization"] == "bearer -tok3n"
    assert listing_request.query["limit"] == ["25"]
    assert poller.due == NOW + timedelta(seconds=300)


def test_new_listing_skips_nsfw_and_link_posts_share_the_rss_url(reddit: LocalHttpServer) -> None:
    poller = _poller(reddit, subreddits=["r/wallstreetbets"], listing="new")
    try:
        articles = poller.poll(NOW)
    finally:
        poller.close()
    assert [a.title for a in articles] == [
        "Spotify Says Apple Is Abusing Power in the App Store",
        "TSLA 800c 5/21 YOLO",
    ]
    assert articles[0].url == "http://www.reuters.com/article/us-apple-spotify-idUSKBN2CA2Q1"
    same_story_in_rss = "https://www.reuters.com/article/us-apple-spotify-idUSKBN2CA2Q1"
    assert url_key(articles[0].url) == url_key(same_story_in_rss)


def test_missing_credentials_turn_the_source_off_and_nothing_is_asked(
    reddit: LocalHttpServer,
) -> None:
    poller = _poller(reddit, client_id=None, client_secret="  ")
    assert not poller.enabled
    assert "TRADEBOT_NEWS__REDDIT__CLIENT_ID" in poller.off_reason
    assert "TRADEBOT_NEWS__REDDIT__CLIENT_SECRET" in poller.off_reason
    assert poller.poll(NOW) == []
    assert reddit.requests == []
    assert poller.next_due() is not None and poller.next_due() > NOW + timedelta(days=365)


def test_a_failing_subreddit_is_skipped_and_all_failing_backs_off(
    reddit: LocalHttpServer,
) -> None:
    reddit.routes["/r/investing/hot"] = _json({"message": "Forbidden", "error": 403}, 403)
    poller = _poller(reddit, subreddits=["investing", "stocks"], interval_s=60)
    try:
        assert len(poller.poll(NOW)) == 2
        assert set(poller.last_errors) == {"investing"}
        assert poller.failures == 0

        reddit.routes["/api/v1/access_token"] = _json({"error": "invalid_grant"}, 401)
        refused = _poller(reddit, subreddits=["stocks"], interval_s=60, client_secret="wrong")
        try:
            assert refused.poll(NOW) == []
            assert refused.failures == 1
            assert refused.due == NOW + timedelta(seconds=60)
            assert refused.poll(NOW + timedelta(seconds=30)) == []  # not due: no request
            assert refused.poll(NOW + timedelta(seconds=60)) == []
            assert refused.due == NOW + timedelta(seconds=60 + 120)
            assert "wrong" not in " ".join(refused.last_errors.values())
        finally:
            refused.close()
    finally:
        poller.close()


def test_the_same_story_from_rss_and_reddit_scores_once(reddit: LocalHttpServer) -> None:
    reddit.routes["/reuters"] = Reply(
        body=(FIXTURES / "reuters_business.rss").read_bytes(),
        headers={"Content-Type": "application/rss+xml"},
    )
    rss = RssPoller([Feed("reuters", reddit.url("/reuters"))])
    social = _poller(reddit, subreddits=["stocks"])
    source = PollingNewsSource(
        [rss, social],
        ManualClock(NOW),
        dedup=Deduplicator(MemorySeenItems()),
        max_rounds=1,
        wait=lambda _: None,
    )
    try:
        articles = list(source.articles())
    finally:
        social.close()
    titles = [a.title for a in articles]
    assert (
        titles.count("Apple to establish North Carolina campus, increase U.S. spending targets")
        == 1
    )
    assert len(articles) == 3
