"""PollingNewsSource: pollers behind the NewsSource port, time and waiting injected."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tradebot.adapters.news.dedup import Deduplicator, MemorySeenItems
from tradebot.adapters.news.file_replay import content_hash
from tradebot.adapters.news.polling import Poller, PollingNewsSource
from tradebot.adapters.news.pushed import PushedNews
from tradebot.domain.messages import Article
from tradebot.ports import LiveNews, NewsSource
from tradebot.testing import ManualClock
from tradebot.testing.live import CollectingSink

T0 = datetime(2026, 5, 4, 13, 0, tzinfo=UTC)


def _article(title: str, minutes: int) -> Article:
    return Article(
        source="scripted",
        url=f"https://x.com/{title}",
        title=title,
        published_at=T0 + timedelta(minutes=minutes),
        content_hash=content_hash(title),
    )


class ScriptedPoller:
    """Answers each poll from a script, every ``every`` seconds; records when it was asked."""

    name = "scripted"

    def __init__(self, script: list[list[Article]], every: int = 60) -> None:
        self.script = script
        self.every = timedelta(seconds=every)
        self.asked: list[datetime] = []
        self.due: datetime | None = None

    def poll(self, now: datetime) -> list[Article]:
        self.asked.append(now)
        self.due = now + self.every
        return self.script.pop(0) if self.script else []

    def next_due(self) -> datetime | None:
        return self.due


class BrokenPoller:
    name = "broken"

    def poll(self, now: datetime) -> list[Article]:
        raise RuntimeError("boom")

    def next_due(self) -> datetime | None:
        return T0 + timedelta(days=1)


def test_rounds_are_sorted_deduplicated_and_paced_by_the_clock() -> None:
    scripted = ScriptedPoller(
        [[_article("b", 2), _article("a", 1)], [_article("a", 1), _article("c", 3)], []]
    )
    waits: list[float] = []
    clock = ManualClock(T0)
    source = PollingNewsSource(
        [scripted, BrokenPoller()],
        clock,
        dedup=Deduplicator(MemorySeenItems()),
        max_rounds=3,
        wait=waits.append,
    )
    assert isinstance(source, NewsSource)
    assert isinstance(scripted, Poller)
    assert [a.title for a in source.articles()] == ["a", "b", "c"]
    assert scripted.asked == [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=120)]
    assert waits == [60.0, 60.0]  # no wait after the last round
    assert source.rounds == 3 and source.yielded == 3


def test_stop_ends_the_stream_without_waiting_out_the_interval() -> None:
    scripted = ScriptedPoller([[_article("a", 1)]], every=3600)
    source = PollingNewsSource([scripted], ManualClock(T0))
    stream = source.articles()
    assert next(stream).title == "a"
    source.stop()
    assert list(stream) == []
    assert len(scripted.asked) == 1


def test_pushed_news_hands_each_article_to_the_sink_from_its_own_thread() -> None:
    scripted = ScriptedPoller(
        [[_article("b", 2), _article("a", 1)], [_article("a", 1)]], every=3600
    )
    source = PollingNewsSource([scripted], ManualClock(T0), dedup=Deduplicator(MemorySeenItems()))
    pushed = PushedNews(source)
    assert isinstance(pushed, LiveNews)
    sink = CollectingSink()
    pushed.start(sink)
    deadline = threading.Event()
    for _ in range(2000):  # poll, never a fixed sleep
        if len(sink.articles) == 2:
            break
        deadline.wait(0.005)
    pushed.stop()  # wakes the source's wait: no hour waited
    assert [a.title for a in sink.articles] == ["a", "b"]  # type: ignore[attr-defined]
    assert sink.status == [("news", True, "polling")]
