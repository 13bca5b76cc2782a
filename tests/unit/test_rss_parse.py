"""RSS text rules without a network: canonical URLs, HTML stripping, dates, broken documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.news.text import canonical_url, strip_html, url_key
from tradebot.adapters.rss import Feed, FeedParseError, parse_feed
from tradebot.domain.errors import ConfigError

NOW = datetime(2021, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "HTTPS://WWW.Reuters.com:443/article/x/?utm_source=rss&id=7&feedType=RSS#top",
            "https://www.reuters.com/article/x?id=7",
        ),
        ("http://example.com", "http://example.com/"),
        ("https://a.com/p?b=2&a=1&fbclid=zz&.tsrc=rss", "https://a.com/p?a=1&b=2"),
        ("https://a.com:8443/p", "https://a.com:8443/p"),
        ("  mailto:x@y.z ", "mailto:x@y.z"),
        ("", ""),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_url_key_treats_scheme_and_www_as_the_same_story() -> None:
    keys = {
        url_key("http://www.cnbc.com/2021/a.html?utm_campaign=x"),
        url_key("https://cnbc.com/2021/a.html/"),
        url_key("https://CNBC.com/2021/a.html#section"),
    }
    assert len(keys) == 1
    assert url_key("https://cnbc.com/2021/b.html") not in keys
    assert url_key("") == ""


urls = st.builds(
    lambda scheme, host, path, params: f"{scheme}://{host}/{path}?{params}",
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(["www.a.com", "A.com", "b.org:8080"]),
    st.text(alphabet="abc/-_", max_size=12),
    st.text(alphabet="abc=&utm_", max_size=20),
)


@given(urls)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert "utm_" not in once.split("?", 1)[-1] or "utm_" in once.split("?", 1)[0]


def test_strip_html_drops_markup_scripts_and_entities() -> None:
    html = (
        "<p>Apple&#8217;s <b>record</b> quarter</p><script>var x = '<p>';</script>"
        "<style>p{}</style><div>iPhone&nbsp;12 &amp; Mac</div><br/>end"
    )
    assert strip_html(html) == "Apple’s record quarter iPhone 12 & Mac end"
    assert strip_html("plain   text\n here") == "plain text here"
    assert len(strip_html("<p>" + "word " * 10_000 + "</p>", limit=100)) == 100


def _rss(items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_dates_fall_back_and_the_future_is_clamped() -> None:
    body = _rss(
        "<item><title>updated only</title><link>https://x.com/1</link>"
        "<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>2021-04-30T10:00:00Z</atom:updated></item>"
        "<item><title>from the future</title><link>https://x.com/2</link>"
        "<pubDate>Sat, 01 May 2021 18:00:00 +0200</pubDate></item>"
        "<item><title>no date</title><link>https://x.com/3</link></item>"
        "<item><title></title><link>https://x.com/4</link></item>"
    )
    parsed = parse_feed(body, source="rss:t", fetched_at=NOW, content_type="application/rss+xml")
    times = {a.title: a.published_at for a in parsed.articles}
    assert times == {
        "updated only": datetime(2021, 4, 30, 10, 0, tzinfo=UTC),
        "from the future": NOW,  # 16:00 UTC is after the fetch: clamped
        "no date": NOW,
    }
    assert (parsed.undated, parsed.skipped) == (1, 1)


def test_feed_symbols_become_hints_and_guid_links_are_used() -> None:
    body = _rss("<item><title>AAPL news</title><guid>https://x.com/a?utm_medium=rss</guid></item>")
    (article,) = parse_feed(body, source="rss:t", fetched_at=NOW, symbols=("AAPL",)).articles
    assert article.symbols_hint == ("AAPL",)
    assert article.url == "https://x.com/a"


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x01 not xml <<<", b"<html><body><p>maintenance</p></body></html>"],
)
def test_what_is_not_a_feed_raises(body: bytes) -> None:
    with pytest.raises(FeedParseError):
        parse_feed(body, source="rss:t", fetched_at=NOW, content_type="text/html")


def test_an_empty_but_valid_feed_is_no_error() -> None:
    parsed = parse_feed(_rss(""), source="rss:t", fetched_at=NOW, content_type="text/html")
    assert parsed.articles == []


@pytest.mark.parametrize(
    ("name", "url", "interval"),
    [
        ("x", "file:///etc/passwd", 300),
        ("x", "ftp://a.com/f", 300),
        ("", "https://a.com", 300),
        ("x", "https://a.com", 5),
    ],
)
def test_bad_feed_settings_are_config_errors(name: str, url: str, interval: int) -> None:
    with pytest.raises(ConfigError):
        Feed(name, url, interval)


def test_interval_bound_is_generous_enough_for_real_feeds() -> None:
    assert Feed("ok", "https://a.com/rss", 30).interval_s == 30
    assert timedelta(seconds=Feed("ok", "https://a.com/rss").interval_s) == timedelta(minutes=5)
