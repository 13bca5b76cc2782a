"""Fakes for the news side: the in-memory seen-items memory and one that fails on demand."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from tradebot.adapters.news.dedup import MemorySeenItems
from tradebot.domain.errors import StoreError

__all__ = ["FailingSeenItems", "MemorySeenItems"]


class FailingSeenItems(MemorySeenItems):
    """Fault injection: while ``failing`` is set, both calls raise :class:`StoreError`
    (database down); clear it and the memory works again, holding what it held before."""

    def __init__(self, failing: bool = True) -> None:
        super().__init__()
        self.failing = failing

    def seen(self, keys: Collection[str]) -> set[str]:
        if self.failing:
            raise StoreError("database is locked", "injected by FailingSeenItems")
        return super().seen(keys)

    def remember(self, keys: Collection[str], ts: datetime) -> None:
        if self.failing:
            raise StoreError("database is locked", "injected by FailingSeenItems")
        super().remember(keys, ts)
