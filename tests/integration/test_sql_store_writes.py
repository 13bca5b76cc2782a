"""How SqlStore writes: idempotent redelivery, batching, order upserts, and loud failures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql import DEFAULT_URL
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain import OrderStatus
from tradebot.domain.errors import StoreError

TABLES = (
    "articles",
    "article_sentiments",
    "signals",
    "trading_decisions",
    "orders",
    "fills",
    "closed_trades",
    "portfolio_snapshots",
    "positions",
)


def _open(url: str, batch_size: int) -> SqlStore:
    store = SqlStore(url, batch_size=batch_size)
    store.start_run(s.run_info())
    return store


@pytest.fixture
def reader(db_url: str) -> Iterator[SqlStore]:
    """A second store on the same database: it sees only what has been committed."""
    SqlStore(db_url).close()  # create the schema first
    with SqlStore(db_url, auto_migrate=False) as other:
        yield other


def _counts(store: SqlStore) -> dict[str, int]:
    with store.session() as session:
        return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def _record_one_of_each(store: SqlStore) -> None:
    store.record_article("run-1", s.article(1))
    store.record_sentiment("run-1", s.scored(1))
    store.record_signal("run-1", s.signal(1))
    store.record_decision("run-1", s.decision(1))
    store.record_order("run-1", s.order(1))
    store.record_fill("run-1", s.fill(1))
    store.record_closed_trade("run-1", s.closed_trade(1))
    store.record_snapshot("run-1", s.snapshot(1))
    store.save_positions("run-1", [s.position()])


@pytest.mark.parametrize("batch_size", [1, 100])
def test_recording_twice_changes_nothing(db_url: str, batch_size: int) -> None:
    with _open(db_url, batch_size) as store:
        _record_one_of_each(store)
        _record_one_of_each(store)  # redelivered within the batch
        store.flush()
        _record_one_of_each(store)  # and again after it was written
        store.flush()
        assert set(_counts(store).values()) == {1}
        assert store.signals("run-1") == [s.signal(1)]


def test_a_batch_is_invisible_until_flushed(db_url: str, reader: SqlStore) -> None:
    with _open(db_url, batch_size=100) as store:
        for n in range(10):
            store.record_signal("run-1", s.signal(n))
        assert store.pending == 10
        assert reader.signals("run-1") == []
        assert store.signals("run-1") == []  # reads see the database, not the buffer

        store.flush()
        assert store.pending == 0
        assert len(reader.signals("run-1")) == 10


def test_a_full_batch_writes_itself(db_url: str, reader: SqlStore) -> None:
    with _open(db_url, batch_size=5) as store:
        for n in range(5):
            store.record_signal("run-1", s.signal(n))
        assert store.pending == 0
        assert len(reader.signals("run-1")) == 5
        store.record_signal("run-1", s.signal(5))
        assert store.pending == 1
        assert len(reader.signals("run-1")) == 5


def test_immediate_mode_commits_every_record(db_url: str, reader: SqlStore) -> None:
    with _open(db_url, batch_size=1) as store:
        store.record_signal("run-1", s.signal(1))
        store.record_decision("run-1", s.decision(1))
        store.record_order("run-1", s.order(1))
        assert store.pending == 0
        assert reader.orders("run-1") == [s.order(1)]


def test_close_writes_what_is_buffered(db_url: str, reader: SqlStore) -> None:
    store = _open(db_url, batch_size=100)
    store.record_signal("run-1", s.signal(1))
    store.close()
    assert reader.signals("run-1") == [s.signal(1)]
    with pytest.raises(StoreError, match="closed"):
        store.record_signal("run-1", s.signal(2))


@pytest.mark.parametrize("batch_size", [1, 100])
def test_the_last_order_state_wins_and_keeps_the_broker_id(db_url: str, batch_size: int) -> None:
    with _open(db_url, batch_size) as store:
        store.record_signal("run-1", s.signal(1))
        store.record_decision("run-1", s.decision(1))
        store.record_order("run-1", s.order(1, OrderStatus.NEW))
        store.record_order("run-1", s.order(1, OrderStatus.ACCEPTED, broker_id="B-1"))
        store.record_order("run-1", s.order(1, OrderStatus.FILLED))  # venue id not repeated
        store.flush()
        assert store.orders("run-1") == [s.order(1, OrderStatus.FILLED, broker_id="B-1")]

        store.record_order("run-1", s.order(1, OrderStatus.CANCELLED))
        store.flush()
        assert store.orders("run-1") == [s.order(1, OrderStatus.CANCELLED, broker_id="B-1")]
        with store.session() as session:
            updated = session.execute(text("SELECT updated_at FROM orders")).scalar_one()
        assert updated is not None


@pytest.mark.parametrize("batch_size", [1, 100])
def test_the_last_snapshot_at_a_time_wins(db_url: str, batch_size: int) -> None:
    with _open(db_url, batch_size) as store:
        store.record_snapshot("run-1", s.snapshot(1, cash=Decimal(1)))
        store.record_snapshot("run-1", s.snapshot(1, cash=Decimal(2)))
        store.flush()
        store.record_snapshot("run-1", s.snapshot(1, cash=Decimal(3)))
        store.flush()
        assert store.snapshots("run-1") == [s.snapshot(1, cash=Decimal(3))]


def test_articles_dedup_by_hash_and_a_score_brings_its_article(db_url: str) -> None:
    with _open(db_url, batch_size=1) as store:
        store.record_sentiment("run-1", s.scored(2))  # its article was never recorded
        renamed = s.article(2).model_copy(update={"title": "Same story, new headline"})
        store.record_article("run-1", renamed)
        assert store.article(s.article(2).content_hash) == s.article(2)  # first one kept
        assert store.sentiments(s.article(2).content_hash) == [s.scored(2)]
        assert store.sentiments("no-such-hash") == []


def test_a_failed_write_raises_and_keeps_the_records(db_url: str) -> None:
    with _open(db_url, batch_size=100) as store:
        store.record_decision("run-1", s.decision(1))  # its signal is not recorded yet
        with pytest.raises(StoreError, match="writing 1 records failed"):
            store.flush()
        assert store.pending == 1

        store.record_signal("run-1", s.signal(1))
        store.flush()  # the retry writes both, parent first
        assert store.decisions("run-1") == [s.decision(1)]


def test_a_locked_database_raises_and_loses_nothing(tmp_path: Path) -> None:
    path = f"{tmp_path}/locked.db"
    with _open(f"sqlite:///{path}?timeout=0.1", batch_size=1) as store:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError) as caught:
                store.record_signal("run-1", s.signal(1))
            assert "locked" in caught.value.message
            assert store.pending == 1
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        store.flush()
        assert store.signals("run-1") == [s.signal(1)]


def test_values_without_a_defined_meaning_are_refused_when_recorded(db_url: str) -> None:
    naive = datetime(2024, 1, 1)
    with _open(db_url, batch_size=100) as store:
        with pytest.raises(StoreError, match="naive datetime"):
            store.save_positions("run-1", [replace(s.position(), opened_at=naive)])
        with pytest.raises(StoreError, match="non-finite"):
            store.save_positions("run-1", [replace(s.position(), quantity=Decimal("NaN"))])
        with pytest.raises(StoreError, match="naive datetime"):
            store.start_run(s.run_info("run-2").model_copy(update={"data_start": naive}))
        assert store.pending == 0


def test_an_unreachable_database_fails_on_open() -> None:
    with pytest.raises(StoreError) as caught:
        SqlStore("postgresql+psycopg://bot:hunter2@127.0.0.1:1/tradebot")
    assert "hunter2" not in caught.value.one_line()


def test_an_in_memory_database_works() -> None:
    with _open("sqlite://", batch_size=1) as store:
        store.record_signal("run-1", s.signal(1))
        assert store.signals("run-1") == [s.signal(1)]


def test_the_default_database_is_a_file_under_dot_tradebot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with SqlStore(DEFAULT_URL) as store:
        assert store.latest_run_id() is None
    assert (tmp_path / ".tradebot" / "tradebot.db").is_file()
