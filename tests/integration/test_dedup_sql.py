"""The SeenItems port on SQLite and PostgreSQL: keys survive a restart and commit at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tradebot.adapters.news.dedup import Deduplicator, dedup_keys
from tradebot.adapters.news.file_replay import content_hash
from tradebot.adapters.sql.models import SeenItemRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.errors import StoreError
from tradebot.domain.messages import Article
from tradebot.ports import SeenItems

T0 = datetime(2026, 5, 4, 13, 30, tzinfo=UTC)


def _article(i: int) -> Article:
    title = f"Story number {i} about a company doing something"
    return Article(
        source="rss:test",
        url=f"https://news.example.com/{i}?utm_medium=rss",
        title=title,
        published_at=T0,
        content_hash=content_hash(title),
    )


def test_the_store_is_a_seen_items_port(db_url: str) -> None:
    with SqlStore(db_url) as store:
        assert isinstance(store, SeenItems)


def test_remembered_keys_survive_a_restart_even_with_a_batching_store(db_url: str) -> None:
    keys = [f"h:{i:064x}" for i in range(1200)]  # more than one lookup chunk
    with SqlStore(db_url, batch_size=10_000) as store:
        assert store.seen(keys) == set()
        store.remember(keys[:700], T0)
        assert store.pending == 0
        assert store.seen(keys) == set(keys[:700])
    with SqlStore(db_url) as reopened:
        assert reopened.seen(keys) == set(keys[:700])


def test_a_known_key_keeps_its_first_time(db_url: str) -> None:
    with SqlStore(db_url) as store:
        store.remember(["u:a", "u:b"], T0)
        store.remember(["u:b", "u:c"], T0 + timedelta(hours=1))
        with store.session() as session:
            rows = dict(session.execute(select(SeenItemRow.key, SeenItemRow.first_seen_at)).all())
    assert rows == {"u:a": T0, "u:b": T0, "u:c": T0 + timedelta(hours=1)}


def test_the_deduplicator_on_the_store_scores_a_story_once_across_restarts(db_url: str) -> None:
    items = [_article(i) for i in range(20)]
    with SqlStore(db_url) as store:
        assert Deduplicator(store).fresh(items[:12], T0) == items[:12]
    with SqlStore(db_url) as store:
        assert Deduplicator(store).fresh(items, T0) == items[12:]
        assert store.seen(dedup_keys(items[0])) == set(dedup_keys(items[0]))


def test_bad_keys_and_naive_times_are_one_line_errors(db_url: str) -> None:
    with SqlStore(db_url) as store:
        with pytest.raises(StoreError, match="longer than 80"):
            store.remember(["x" * 81], T0)
        with pytest.raises(StoreError, match="naive"):
            store.remember(["u:a"], datetime(2026, 1, 1))
        store.remember([], T0)
        assert store.seen([]) == set()
