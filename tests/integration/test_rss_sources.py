"""RSS/Atom against a local HTTP server: real-shaped feeds, conditional GET, hostile feeds."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tradebot.adapters.news.dedup import Deduplicator, MemorySeenItems
from tradebot.adapters.news.polling import PollingNewsSource
from tradebot.adapters.rss import Feed, FetchError, RssPoller, fetch
from tradebot.testing import ManualClock
from tradebot.testing.http import LocalHttpServer, Reply, conditional

FIXTURES = Path(__file__).parent.parent / "fixtures" / "news"
NOW = datetime(2021, 5, 1, 12, 0, tzinfo=UTC)
FEEDS = {
    "yahoo": ("yahoo_finance.rss", "application/rss+xml; charset=utf-8"),
    "reuters": ("reuters_business.rss", "text/xml; charset=UTF-8"),
    "cnbc": ("cnbc_finance.rss", "application/rss+xml"),
    "marketwatch": ("marketwatch.rss", "text/xml"),
    "sec": ("sec_edgar_8k.atom", "application/atom+xml"),
}
MB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[LocalHttpServer]:
    with LocalHttpServer() as running:
        for name, (file, content_type) in FEEDS.items():
            body = (FIXTURES / file).read_bytes()
            running.routes[f"/{name}"] = Reply(body=body, headers={"Content-Type": content_type})
        yield running


def _feed(server: LocalHttpServer, name: str, interval_s: int = 300) -> Feed:
    return Feed(name, server.url(f"/{name}"), interval_s)


def test_real_shaped_feeds_become_clean_utc_articles(server: LocalHttpServer) -> None:
    poller = RssPoller([_feed(server, name) for name in FEEDS])
    articles = poller.poll(NOW)

    assert len(articles) == 11
    assert {a.source for a in articles} == {f"rss:{name}" for name in FEEDS}
    for article in articles:
        assert article.published_at.utcoffset() == timedelta(0)
        assert article.published_at <= NOW
        assert "utm_" not in article.url and ".tsrc" not in article.url
        assert "mod=" not in article.url and "#" not in article.url
        assert "<" not in article.body and "feedflare" not in article.body
        assert "track(" not in article.body
    by_title = {a.title: a for a in articles}
    reuters = by_title["Spotify Says Apple Is Abusing Power in the App Store"]
    assert reuters.url == "https://www.reuters.com/article/us-apple-spotify-idUSKBN2CA2Q1"
    assert reuters.published_at == datetime(2021, 4, 21, 21, 5, tzinfo=UTC)
    assert "iPhone maker's App Store" in reuters.body
    assert "8-K - Nestlé Holdings, Inc. (0000790070) (Filer)" in by_title  # Latin-1 decoded
    undated = by_title["Markets Await More Earnings Data"]
    assert undated.published_at == NOW  # no date in the feed: the time we learned of it


def test_the_same_story_from_two_feeds_comes_out_once(server: LocalHttpServer) -> None:
    poller = RssPoller([_feed(server, "yahoo"), _feed(server, "reuters")])
    source = PollingNewsSource(
        [poller],
        ManualClock(NOW),
        dedup=Deduplicator(MemorySeenItems()),
        max_rounds=1,
        wait=lambda _: None,
    )
    articles = list(source.articles())
    titles = [a.title for a in articles]
    assert len(titles) == 4  # 3 + 2, the North Carolina story once
    assert (
        titles.count("Apple to establish North Carolina campus, increase U.S. spending targets")
        == 1
    )
    times = [a.published_at for a in articles]
    assert times == sorted(times)


def test_conditional_get_sends_validators_and_a_304_yields_nothing(server: LocalHttpServer) -> None:
    body = (FIXTURES / "cnbc_finance.rss").read_bytes()
    server.routes["/cond"] = conditional(
        Reply(body=body, headers={"Content-Type": "application/rss+xml"}),
        etag='"v1"',
        last_modified="Thu, 29 Apr 2021 15:01:04 GMT",
    )
    poller = RssPoller([_feed(server, "cond", interval_s=60)])
    assert len(poller.poll(NOW)) == 2
    assert poller.poll(NOW + timedelta(seconds=30)) == []  # not due: no request at all
    assert len(server.requests_to("/cond")) == 1

    assert poller.poll(NOW + timedelta(seconds=60)) == []
    second = server.requests_to("/cond")[1]
    assert second.headers["if-none-match"] == '"v1"'
    assert second.headers["if-modified-since"] == "Thu, 29 Apr 2021 15:01:04 GMT"
    status = poller.feeds["cond"]
    assert (status.fetched, status.not_modified, status.failures) == (1, 1, 0)
    assert status.due == NOW + timedelta(seconds=120)


HOSTILE = {
    "badxml": Reply(body=b"<rss><channel><item><title>unterminated", headers={}),
    "html": Reply(
        body=b"<html><body>Service page</body></html>", headers={"Content-Type": "text/html"}
    ),
    "huge_declared": Reply(body=b"x", headers={"Content-Length": str(50 * MB)}),
    "huge_streamed": Reply(stream_bytes=50 * MB, chunk_size=256 * 1024),
    "badencoding": Reply(
        body=b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        b"<item><title>caf\xe9 \xff\xfe au lait</title></item></channel></rss>",
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    ),
    "slow": Reply(body=b"<rss>" + b" " * 40, chunk_size=4, chunk_delay_s=0.3),
    "error500": Reply(status=500, body=b"Internal Server Error"),
    "gzipbomb": Reply(body=gzip.compress(b"\0" * (50 * MB)), headers={"Content-Encoding": "gzip"}),
}


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
def test_a_hostile_feed_is_skipped_and_the_others_keep_going(
    server: LocalHttpServer, hostile: str
) -> None:
    server.routes[f"/{hostile}"] = HOSTILE[hostile]
    feeds = [_feed(server, "yahoo"), _feed(server, hostile), _feed(server, "cnbc")]
    poller = RssPoller(feeds, timeout_s=1.0, max_bytes=5 * MB)
    started = time.monotonic()
    articles = poller.poll(NOW)
    assert time.monotonic() - started < 5.0
    assert {a.source for a in articles} == {"rss:yahoo", "rss:cnbc"}
    assert len(articles) == 5  # nothing fetched from the good feeds is lost
    status = poller.feeds[hostile]
    assert status.failures == 1 and status.last_error
    assert status.due == NOW + timedelta(seconds=300)


def test_a_failing_feed_backs_off_and_honours_retry_after(server: LocalHttpServer) -> None:
    server.routes["/limited"] = Reply(status=429, headers={"Retry-After": "1800"})
    server.routes["/down"] = Reply(status=503)
    poller = RssPoller([_feed(server, "limited", 60), _feed(server, "down", 60)], max_backoff_s=200)
    poller.poll(NOW)
    assert poller.feeds["limited"].due == NOW + timedelta(seconds=1800)
    assert poller.feeds["down"].due == NOW + timedelta(seconds=60)
    poller.poll(NOW + timedelta(seconds=60))
    assert poller.feeds["down"].due == NOW + timedelta(seconds=60 + 120)
    poller.poll(NOW + timedelta(seconds=180))
    assert poller.feeds["down"].due == NOW + timedelta(seconds=180 + 200)  # capped
    assert poller.next_due() == NOW + timedelta(seconds=380)


def test_gzip_bodies_are_decoded(server: LocalHttpServer) -> None:
    body = (FIXTURES / "marketwatch.rss").read_bytes()
    server.routes["/gz"] = Reply(
        body=gzip.compress(body), headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"}
    )
    result = fetch(server.url("/gz"))
    assert result.body == body
    assert server.requests_to("/gz")[0].headers["accept-encoding"] == "gzip, deflate"


def test_redirects_are_followed_to_http_only(server: LocalHttpServer) -> None:
    server.routes["/moved"] = Reply(status=301, headers={"Location": server.url("/cnbc")})
    server.routes["/sneaky"] = Reply(status=302, headers={"Location": "file:///etc/passwd"})
    assert fetch(server.url("/moved")).url == server.url("/cnbc")
    with pytest.raises(FetchError, match="file:"):
        fetch(server.url("/sneaky"))


def test_an_unreachable_host_is_a_fetch_error() -> None:
    with LocalHttpServer() as gone:
        url = gone.url("/feed")
    with pytest.raises(FetchError):
        fetch(url, timeout_s=1.0)
