"""A live feed that plays a script: history from a list, then bars pushed from its own
thread, as a websocket feed would push them (for the kernel's live path without a venue)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from tradebot.domain.bar import Bar
from tradebot.ports import EventSink

__all__ = ["CollectingSink", "ScriptedLiveFeed"]


class ScriptedLiveFeed:
    """:class:`~tradebot.ports.LiveFeed`: ``history`` answers from ``past``; ``start``
    pushes ``stream`` in order from a thread (repeats and reordering as given), then calls
    ``done`` (a test stops the kernel there with ``stop_when_drained``)."""

    def __init__(
        self,
        past: Sequence[Bar],
        stream: Sequence[Bar],
        *,
        done: object | None = None,
    ) -> None:
        self._past = list(past)
        self._stream = list(stream)
        self._done = done
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.pushed = 0

    def history(self, symbols: Sequence[str], start: datetime, end: datetime) -> list[Bar]:
        wanted = set(symbols)
        return [b for b in self._past if b.symbol in wanted and start <= b.ts < end]

    def start(self, sink: EventSink) -> None:
        def push() -> None:
            for bar in self._stream:
                if self._stopping.is_set():
                    return
                sink.bar(bar)
                self.pushed += 1
            sink.feed_status("scripted", True, "script played")
            if callable(self._done):
                self._done()

        self._thread = threading.Thread(target=push, name="scripted-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class CollectingSink:
    """:class:`~tradebot.ports.EventSink` that keeps what it is given (adapter tests)."""

    def __init__(self) -> None:
        self.bars: list[Bar] = []
        self.reports: list[object] = []
        self.articles: list[object] = []
        self.status: list[tuple[str, bool, str]] = []
        self._lock = threading.Lock()

    def bar(self, bar: Bar) -> None:
        with self._lock:
            self.bars.append(bar)

    def report(self, report: object) -> None:
        with self._lock:
            self.reports.append(report)

    def article(self, article: object) -> None:
        with self._lock:
            self.articles.append(article)

    def feed_status(self, source: str, connected: bool, detail: str = "") -> None:
        with self._lock:
            self.status.append((source, connected, detail))
