"""A database with something in it: a real backtest of the bundled data (news and learning
on) recorded through the same kernel and store as ``tradebot backtest`` — so the API reads
what the engine really writes, not hand-made rows."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from tradebot.config import Settings
from tradebot.data import sample_data_dir, sample_news_file
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store

__all__ = ["SEED_REQUEST", "copy_database", "seed_backtest"]

SEED_REQUEST = RunRequest(
    symbols=("AAPL", "MSFT", "AMZN", "GOOG"),
    start=datetime(2014, 1, 1, tzinfo=UTC),
    end=datetime(2015, 6, 30, 23, 59, tzinfo=UTC),
    data_dir=sample_data_dir("stocknet"),
    news_file=sample_news_file(),
)


def seed_backtest(settings: Settings, request: RunRequest = SEED_REQUEST) -> str:
    """Run ``request`` into ``settings.store.url``; the run's id."""
    store = open_store(settings, request.mode)
    try:
        kernel = build_kernel(settings, request, store)
        return kernel.run().run_id
    finally:
        store.close()


def copy_database(source: Path, target: Path) -> None:
    """A copy of a SQLite database file (with its WAL, when there is one)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        extra = source.with_name(source.name + suffix)
        if extra.exists():
            shutil.copyfile(extra, target.with_name(target.name + suffix))
