"""Memory of news items already handled, shared by the fetcher's de-duplication and the
sentiment stage.

Both sides ask a :class:`~tradebot.ports.SeenItems` port (the SQL store in paper and live,
:class:`MemorySeenItems` in backtests) which keys they met before, and both must keep
working when that port fails: a news story must never be lost because the database is
locked. :class:`SeenMemory` is that one policy, written once:

- ``seen`` answers stored keys plus the keys waiting to be saved; a read failure logs one
  warning and answers the waiting keys alone (the caller treats the rest as new: at worst a
  story is handled twice, never dropped).
- ``remember`` saves keys grouped by first-seen time; on a write failure it keeps them in
  process (bounded: a store down for days must not grow the process without end) and saves
  them with the next ``remember`` or ``retry``.

It lives in ``ops``, below both of its users, because the layers contract lets neither
import the other: the engine may not import adapters and adapters may not import the engine.
Like the rest of ``ops`` it is a helper around the outside world (a store that may fail),
not a rule of the market; ``adapters.news`` re-exports :class:`MemorySeenItems` for its
callers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from tradebot.domain.errors import StoreError
from tradebot.ports import SeenItems

__all__ = ["MemorySeenItems", "SeenMemory"]


class MemorySeenItems:
    """:class:`~tradebot.ports.SeenItems` in a dict: for backtests and tests (nothing
    survives the process, which is what a replay wants)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, datetime] = {}

    def seen(self, keys: Collection[str]) -> set[str]:
        return {key for key in keys if key in self.first_seen}

    def remember(self, keys: Collection[str], ts: datetime) -> None:
        for key in keys:
            self.first_seen.setdefault(key, ts)


class SeenMemory:
    """A :class:`~tradebot.ports.SeenItems` port that never raises :class:`StoreError`:
    keys it could not save are kept in process, counted as seen and retried (see the module
    docstring)."""

    def __init__(self, port: SeenItems, *, max_unsaved: int, what: str, log: Any) -> None:
        """``max_unsaved``: keys kept in process while the port cannot be written, oldest
        dropped first. ``what``: the memory's name in the warnings ("news memory").
        ``log``: the caller's logger, so a warning names the stage that met the failure."""
        if max_unsaved < 1:
            raise ValueError(f"max_unsaved must be >= 1, got {max_unsaved}")
        self._port = port
        self._max_unsaved = max_unsaved
        self._what = what
        self._log = log
        self._unsaved: dict[str, datetime] = {}

    @property
    def pending(self) -> int:
        """Keys waiting to be saved (0 while the port works)."""
        return len(self._unsaved)

    def seen(self, keys: Collection[str]) -> set[str]:
        """The keys of ``keys`` met before: stored, or waiting to be saved."""
        asked = set(keys)
        pending = asked & self._unsaved.keys()
        try:
            return self._port.seen(asked - pending) | pending
        except StoreError as exc:
            self._log.warning(
                f"{self._what} unreadable; treating its keys as new", error=exc.one_line()
            )
            return pending

    def remember(self, keys: Mapping[str, datetime]) -> None:
        """Save ``keys`` (key → first seen) with any an earlier failure left unsaved."""
        merged = {**self._unsaved, **keys}
        if not merged:
            return
        by_time: dict[datetime, list[str]] = {}
        for key, first in merged.items():
            by_time.setdefault(first, []).append(key)
        try:
            for first, group in by_time.items():
                self._port.remember(group, first)
        except StoreError as exc:
            self._unsaved.update(keys)
            while len(self._unsaved) > self._max_unsaved:
                del self._unsaved[next(iter(self._unsaved))]
            self._log.warning(
                f"{self._what} unwritable; keys kept for retry",
                pending=len(self._unsaved),
                error=exc.one_line(),
            )
            return
        self._unsaved.clear()

    def retry(self) -> None:
        """Save the keys an earlier failure left unsaved, if any (no call when none)."""
        if self._unsaved:
            self.remember({})
