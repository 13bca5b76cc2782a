"""``AlpacaNews``: Alpaca's news stream (Benzinga) as articles (port ``LiveNews``).

Every item becomes an :class:`~tradebot.domain.messages.Article` whose ``symbols_hint`` is
the item's ``symbols`` (:func:`.convert_data.article_of_news`). News is sparse, so silence
is never "stale"; a dropped connection is reported through ``sink.feed_status`` and
alpaca-py reconnects. The news a drop made us miss is not read back: the news stage scores
an item once wherever it comes from, and the next items arrive as they are published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alpaca.data.live import NewsDataStream
from alpaca.data.models import News

from tradebot.adapters.alpaca.convert_data import article_of_news
from tradebot.adapters.alpaca.credentials import AlpacaCredentials
from tradebot.adapters.alpaca.streams import HookedStream, StreamHooks, StreamThread
from tradebot.ops.logging import get_logger
from tradebot.ports import EventSink

__all__ = ["SOURCE", "AlpacaNews"]

SOURCE = "alpaca-news"
_log = get_logger("alpaca-news")


class _Stream(HookedStream, NewsDataStream):
    def __init__(self, creds: AlpacaCredentials, url: str | None, hooks: StreamHooks) -> None:
        NewsDataStream.__init__(
            self,
            creds.key_id.get_secret_value(),
            creds.secret_key.get_secret_value(),
            url_override=url,
        )
        self.hooks = hooks


class AlpacaNews:
    """Articles about ``symbols`` (``("*",)``: every item) as they are published."""

    def __init__(
        self,
        creds: AlpacaCredentials,
        symbols: Sequence[str] = ("*",),
        *,
        url: str | None = None,
    ) -> None:
        self._creds = creds
        self.symbols = tuple(symbols)
        self._url = url
        self._sink: EventSink | None = None
        self._thread: StreamThread | None = None

    def start(self, sink: EventSink) -> None:
        self._sink = sink
        stream = _Stream(self._creds, self._url, self)
        stream.subscribe_news(self._on_news, *self.symbols)
        self._thread = StreamThread("alpaca-news", stream)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    async def _on_news(self, item: News | dict[Any, Any]) -> None:
        if not isinstance(item, News) or self._sink is None:
            return
        try:
            article = article_of_news(item)
        except ValueError as exc:  # pydantic refused it: said once, never a crash
            _log.warning("news item refused", error=str(exc)[:200])
            return
        self._sink.article(article)

    # ---- StreamHooks ------------------------------------------------------------------

    def connected(self) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, True, "connected")

    def subscribed(self) -> None:
        return None

    def failed(self, error: BaseException) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, f"connect failed: {error}"[:200])

    def disconnected(self) -> None:
        if self._sink is not None:
            self._sink.feed_status(SOURCE, False, "disconnected; reconnecting")
