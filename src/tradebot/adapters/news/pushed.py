"""Polled news pushed into a live session: a :class:`PollingNewsSource` on its own thread.

The kernel must never wait on a feed, so a live session does not pull articles: this
thread runs the source's rounds and hands each new article to the session's sink, which
queues it for the kernel's thread. De-duplication inside the source is the thread's own (an
in-memory memory); the kernel's news stage keeps the persisted one, so the store is only
ever written from the kernel's thread.
"""

from __future__ import annotations

import threading

from tradebot.adapters.news.polling import PollingNewsSource
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["PushedNews"]


class PushedNews:
    """:class:`~tradebot.ports.LiveNews` over a polling source."""

    def __init__(self, source: PollingNewsSource, name: str = "news") -> None:
        self._source = source
        self.name = name
        self._thread: threading.Thread | None = None

    def start(self, sink: EventSink) -> None:
        def run() -> None:
            log = get_logger("news")
            try:
                for article in self._source.articles():
                    sink.article(article)
            except Exception as exc:  # a source that dies stops its own news, not the session
                log.error("news source stopped", source=self.name, error=str(exc))
                sink.feed_status(self.name, False, f"stopped: {exc}")

        self._thread = threading.Thread(target=run, name=f"news-{self.name}", daemon=True)
        self._thread.start()
        sink.feed_status(self.name, True, "polling")

    def stop(self) -> None:
        self._source.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
