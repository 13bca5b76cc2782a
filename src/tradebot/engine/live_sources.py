"""What a live session listens to, and the sink its adapters push into.

A live session has no replay feed: a :class:`~tradebot.ports.LiveFeed` pushes closed bars
from its own thread, a :class:`~tradebot.ports.ReportStream` pushes the venue's execution
reports, and :class:`~tradebot.ports.LiveNews` sources push articles. Each pushes into a
:class:`KernelSink`, which only puts the event in the kernel's inbox (thread-safe, returns
at once); the kernel's one thread takes them in arrival order (``live_events``), so no
stage needs a lock. The warm-up comes first, from the feed's REST history, before the
streams start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from tradebot.domain.bar import Bar
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.messages import Article
from tradebot.engine.event_loop import RANK_ARTICLE, RANK_BAR, RANK_REPORT, Queued
from tradebot.engine.topics import EXECUTION_REPORTS, MARKET_BARS, NEWS_RAW
from tradebot.ops.logging import get_logger
from tradebot.ports import LiveFeed, LiveNews, ReportStream

__all__ = ["FeedHealth", "FeedListener", "KernelSink", "LiveSources"]


@dataclass(frozen=True, slots=True)
class LiveSources:
    """The streams of a live session (paper on live data, or live)."""

    feed: LiveFeed
    warmup_from: datetime
    """History from here up to the session's start warms the strategies up."""
    reports: ReportStream | None = None
    """The venue's execution reports (None: a simulated venue reports with its bars)."""
    news: tuple[LiveNews, ...] = ()
    reconcile_every_s: float | None = 300.0
    """Reconcile the book with the venue this often (a venue that can list its book)."""

    def start(self, sink: KernelSink) -> None:
        """Reports first (nothing of ours is missed), then bars, then news."""
        if self.reports is not None:
            self.reports.start(sink)
        self.feed.start(sink)
        for source in self.news:
            source.start(sink)

    def stop(self) -> None:
        """Every stream, each bounded; one that fails to stop is logged, the others still
        stop."""
        log = get_logger("live")
        for stream in (*self.news, self.feed, self.reports):
            if stream is None:
                continue
            try:
                stream.stop()
            except Exception as exc:  # a stream that dies while stopping must not hide others
                log.warning(
                    "stream did not stop cleanly", stream=type(stream).__name__, error=str(exc)
                )


FeedListener = Callable[[str, bool, str], None]
"""Told ``(source, connected, detail)`` when a stream's connection changes (on the stream's
thread: a listener must return at once — the notifier only queues)."""


@dataclass(slots=True)
class FeedHealth:
    """Each stream's last word on its connection (for the status, ``/ready``, logs and
    notifications)."""

    connected: dict[str, bool] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)
    listeners: list[FeedListener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, source: str, connected: bool, detail: str) -> None:
        with self._lock:
            was = self.connected.get(source)
            self.connected[source] = connected
            self.detail[source] = detail
        if was is connected or (was is None and connected):
            return  # no change; a first "connected" is not news
        for listener in list(self.listeners):
            try:
                listener(source, connected, detail)
            except Exception as exc:  # a listener never takes the stream down
                get_logger("live").warning("feed listener failed", error=repr(exc))

    def down(self) -> list[str]:
        with self._lock:
            return [source for source, up in self.connected.items() if not up]


class KernelSink:
    """:class:`~tradebot.ports.EventSink` over the kernel's inbox: what an adapter hears is
    queued with its time and its rank in the tie rule, and dispatched by the kernel."""

    def __init__(self, post: Callable[[Queued], None], health: FeedHealth) -> None:
        self._post = post
        self.health = health
        self._log = get_logger("live")

    def bar(self, bar: Bar) -> None:
        self._post(Queued(bar.ts, RANK_BAR, bar, MARKET_BARS))

    def report(self, report: ExecutionReport) -> None:
        self._post(Queued(report.ts, RANK_REPORT, report, EXECUTION_REPORTS))

    def article(self, article: Article) -> None:
        self._post(Queued(article.published_at, RANK_ARTICLE, article, NEWS_RAW))

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        was = self.health.connected.get(source)
        self.health.set(source, connected, detail)
        if was is connected:
            return
        if connected:
            self._log.info("stream connected", source=source, detail=detail)
        else:
            self._log.warning("stream down", source=source, detail=detail)
