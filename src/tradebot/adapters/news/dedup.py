"""De-duplication of news items: the same story scores once, however it reaches us.

A story is known by up to three keys: its canonical URL (``u:``), its content hash (``h:``)
and, for a headline long enough to be specific, its folded title (``t:``). The title key is
what catches one wire story syndicated by three outlets with three different summaries; six
words or more keep generic titles ("Markets Await More Earnings Data" is five) from
colliding across days. An item is fresh when none of its keys was seen before, in this
batch or in any earlier one; every key of every item is then remembered, so a later copy
that shares any one key is caught.

Memory is two-level: a bounded in-process set answers repeats without a round trip, and the
:class:`~tradebot.ports.SeenItems` port (the SQL store in paper and live) persists keys, so a
restart does not score yesterday's news again. A failing store never loses news: the items
pass on the in-process memory alone and the unsaved keys are retried on the next batch (at
worst a story seen before a crash is scored twice; the policy is
:class:`~tradebot.ops.seen_memory.SeenMemory`, shared with the sentiment stage). No I/O
of its own.

Backtests must hand in a fresh in-memory :class:`MemorySeenItems` (defined in
:mod:`tradebot.ops.seen_memory`, re-exported here): a persisted memory would make the
second run of the same replay see no news at all.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime

from tradebot.adapters.news.text import fold_whitespace, url_key
from tradebot.domain.messages import Article
from tradebot.ops.logging import get_logger
from tradebot.ops.seen_memory import MemorySeenItems, SeenMemory
from tradebot.ports import SeenItems

__all__ = ["DEFAULT_TITLE_WORDS", "Deduplicator", "MemorySeenItems", "dedup_keys"]

DEFAULT_TITLE_WORDS = 6
"""A title needs this many words to count as a key of its own (0: never)."""


def dedup_keys(article: Article, *, title_words: int = DEFAULT_TITLE_WORDS) -> tuple[str, ...]:
    """The keys that identify ``article``'s story (fixed width, at most 66 characters)."""
    keys = [f"h:{article.content_hash}"]
    url = url_key(article.url)
    if url:
        keys.append(f"u:{url}")
    title = fold_whitespace(article.title).lower()
    if title_words > 0 and len(title.split()) >= title_words:
        keys.append("t:" + hashlib.sha256(title.encode("utf-8")).hexdigest())
    return tuple(keys)


class Deduplicator:
    """Keeps the fresh items of each batch (see the module docstring for the rules)."""

    def __init__(
        self,
        seen: SeenItems,
        *,
        title_words: int = DEFAULT_TITLE_WORDS,
        memory_size: int = 200_000,
    ) -> None:
        if memory_size < 1:
            raise ValueError(f"memory_size must be >= 1, got {memory_size}")
        self._title_words = title_words
        self._memory: OrderedDict[str, None] = OrderedDict()
        self._memory_size = memory_size
        self._seen = SeenMemory(
            seen, max_unsaved=memory_size, what="dedup store", log=get_logger("news-dedup")
        )
        self.dropped = 0

    def fresh(self, articles: Iterable[Article], now: datetime) -> list[Article]:
        """The items of ``articles`` whose story was not seen before, in their order."""
        batch = [
            (article, dedup_keys(article, title_words=self._title_words)) for article in articles
        ]
        self._seen.retry()
        keys_in_batch = {key for _, keys in batch for key in keys}
        known = {key for key in keys_in_batch if key in self._memory}
        if len(known) < len(keys_in_batch):
            known |= self._seen.seen(keys_in_batch - known)
        kept: list[Article] = []
        new_keys: dict[str, datetime] = {}
        for article, keys in batch:
            if any(key in known for key in keys):
                self.dropped += 1
            else:
                kept.append(article)
            for key in keys:
                if key not in known:
                    known.add(key)
                    new_keys[key] = now
        for key in keys_in_batch:
            self._touch(key)
        if new_keys:
            self._seen.remember(new_keys)
        return kept

    def _touch(self, key: str) -> None:
        memory = self._memory
        memory[key] = None
        memory.move_to_end(key)
        while len(memory) > self._memory_size:
            memory.popitem(last=False)
