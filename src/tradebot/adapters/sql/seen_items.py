"""The :class:`~tradebot.ports.SeenItems` port in SQL: keys of news items already taken in.

``remember`` commits at once whatever the store's batch size: the next poll, and the
process after a crash, must see the keys, or the same story would be scored twice. Keys
are fixed-width (``u:``/``h:``/``t:`` + sha256 hex), looked up in chunks that stay under
SQLite's bound-parameter limit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.models import SeenItemRow
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.errors import StoreError

__all__ = ["insert_seen", "select_seen"]

_CHUNK = 500
_MAX_KEY = 80


def _chunks(keys: list[str]) -> list[list[str]]:
    return [keys[i : i + _CHUNK] for i in range(0, len(keys), _CHUNK)]


def select_seen(engine: Engine, url: str, keys: Collection[str]) -> set[str]:
    """The subset of ``keys`` already in ``seen_news_items``."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    try:
        with engine.connect() as connection:
            for chunk in _chunks(wanted):
                query = select(SeenItemRow.key).where(SeenItemRow.key.in_(chunk))
                found.update(connection.scalars(query))
    except SQLAlchemyError as exc:
        raise store_error(exc, url, f"looking up {len(wanted)} news keys") from exc
    return found


def insert_seen(
    engine: Engine, url: str, insert: Callable[[Table], Any], keys: Collection[str], ts: datetime
) -> None:
    """Insert ``keys`` first seen at ``ts``; a known key keeps its first time. One
    transaction, committed before returning."""
    unique = sorted(set(keys))
    if not unique:
        return
    too_long = [key for key in unique if len(key) > _MAX_KEY]
    if too_long:
        raise StoreError(
            f"news key {too_long[0][:20]!r}... is longer than {_MAX_KEY} characters",
            "build keys with tradebot.adapters.news.dedup.dedup_keys",
        )
    try:
        when = to_utc(ts)
    except ValueError as exc:
        raise StoreError(f"cannot remember news keys: {exc}", "pass a UTC datetime") from exc
    table = SeenItemRow.__table__
    assert isinstance(table, Table)
    statement = insert(table).on_conflict_do_nothing(index_elements=["key"])
    try:
        with engine.begin() as connection:
            for chunk in _chunks(unique):
                connection.execute(statement, [{"key": k, "first_seen_at": when} for k in chunk])
    except SQLAlchemyError as exc:
        raise store_error(exc, url, f"remembering {len(unique)} news keys") from exc
