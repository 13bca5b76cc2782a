"""De-duplication: one story scores once across sources, batches, restarts and store failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tradebot.adapters.news.dedup import Deduplicator, MemorySeenItems, dedup_keys
from tradebot.adapters.news.file_replay import content_hash
from tradebot.domain.messages import Article
from tradebot.testing import FailingSeenItems

T0 = datetime(2026, 5, 4, 13, 30, tzinfo=UTC)


def _article(title: str, body: str = "", url: str = "", source: str = "rss:test") -> Article:
    return Article(
        source=source,
        url=url,
        title=title,
        body=body,
        published_at=T0,
        content_hash=content_hash(title, body),
    )


def test_same_url_from_two_feeds_with_tracking_and_scheme_differences_is_one_story() -> None:
    dedup = Deduplicator(MemorySeenItems())
    first = _article(
        "Apple beats", "summary A", "https://www.reuters.com/a/apple-beats?utm_source=rss"
    )
    second = _article("Apple tops estimates", "summary B", "http://reuters.com/a/apple-beats/#x")
    assert dedup.fresh([first, second], T0) == [first]
    assert dedup.dropped == 1


def test_same_long_headline_with_other_summaries_and_urls_is_one_story() -> None:
    dedup = Deduplicator(MemorySeenItems())
    title = "Apple to invest $430 billion in U.S. over five years"
    wire = _article(title, "Reuters text", "https://reuters.com/x", "rss:reuters")
    copy = _article(f"  {title.upper()} ", "Yahoo text", "https://finance.yahoo.com/y", "rss:yahoo")
    assert dedup.fresh([wire], T0) == [wire]
    assert dedup.fresh([copy], T0 + timedelta(minutes=5)) == []


def test_short_generic_titles_are_not_a_key() -> None:
    dedup = Deduplicator(MemorySeenItems())
    monday = _article("Markets Await More Earnings Data", "Monday", "https://x.com/1")
    tuesday = _article("Markets Await More Earnings Data", "Tuesday", "https://x.com/2")
    assert dedup.fresh([monday, tuesday], T0) == [monday, tuesday]


def test_same_text_without_url_is_caught_by_content_hash() -> None:
    dedup = Deduplicator(MemorySeenItems())
    a = _article("$AAPL BOOM", source="reddit:r/stocks")
    b = _article("$aapl   boom", source="reddit:r/wallstreetbets")
    assert dedup.fresh([a, b], T0) == [a]


def test_a_restart_with_the_same_memory_scores_nothing_twice() -> None:
    memory = MemorySeenItems()
    items = [_article(f"story {i}", url=f"https://x.com/{i}") for i in range(5)]
    assert Deduplicator(memory).fresh(items, T0) == items
    restarted = Deduplicator(memory)
    assert restarted.fresh(items, T0 + timedelta(hours=1)) == []
    assert all(ts == T0 for ts in memory.first_seen.values())


def test_keys_of_dropped_items_are_remembered_so_a_third_copy_is_caught() -> None:
    memory = MemorySeenItems()
    dedup = Deduplicator(memory)
    original = _article("Story", "same", "https://a.com/1")
    same_text_new_url = _article("Story", "same", "https://b.com/2")
    new_text_second_url = _article("Story, updated", "other", "https://b.com/2")
    assert dedup.fresh([original, same_text_new_url], T0) == [original]
    assert Deduplicator(memory).fresh([new_text_second_url], T0) == []


def test_a_failing_store_loses_no_news_and_keys_are_saved_once_it_is_back() -> None:
    store = FailingSeenItems(failing=True)
    dedup = Deduplicator(store)
    first = [_article("one", url="https://x.com/1"), _article("two", url="https://x.com/2")]
    assert dedup.fresh(first, T0) == first  # store down: in-process memory only
    assert dedup.fresh(first, T0) == []  # ...which still catches repeats
    store.failing = False
    later = _article("three", url="https://x.com/3")
    assert dedup.fresh([later], T0 + timedelta(minutes=1)) == [later]
    assert store.seen(dedup_keys(first[0])) == set(dedup_keys(first[0]))
    assert store.first_seen[dedup_keys(first[0])[0]] == T0


def test_bounded_memory_still_defers_to_the_store() -> None:
    memory = MemorySeenItems()
    dedup = Deduplicator(memory, memory_size=3)
    items = [_article(f"story {i}", url=f"https://x.com/{i}") for i in range(10)]
    assert dedup.fresh(items, T0) == items
    assert dedup.fresh(items, T0) == []


def test_keys_are_short_and_prefixed() -> None:
    keys = dedup_keys(_article("A headline long enough to be a key", url="https://x.com/a"))
    assert [k[:2] for k in keys] == ["h:", "u:", "t:"]
    assert all(len(k) <= 80 for k in keys)
    assert dedup_keys(_article("short")) == (f"h:{content_hash('short')}",)


titles = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).filter(lambda t: t.strip())


@given(st.lists(titles, min_size=1, max_size=15, unique_by=lambda t: " ".join(t.split())))
def test_any_order_and_repetition_yields_each_story_exactly_once(stories: list[str]) -> None:
    items = [_article(t) for t in stories]
    delivered = [*items, *reversed(items), *items[::2]]
    dedup = Deduplicator(MemorySeenItems(), title_words=0)
    kept = dedup.fresh(delivered[: len(items) // 2 + 1], T0)
    kept += dedup.fresh(delivered[len(items) // 2 + 1 :], T0)
    assert sorted(a.content_hash for a in kept) == sorted(a.content_hash for a in items)
    assert dedup.dropped == len(delivered) - len(items)
