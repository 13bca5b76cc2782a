"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql.store import SqlStore


@pytest.fixture(params=[1, 100], ids=["immediate", "batched"])
def store(request: pytest.FixtureRequest, db_url: str) -> Iterator[SqlStore]:
    """A SqlStore on each backend, writing at once or in batches of 100, with the sample
    run started."""
    with SqlStore(db_url, batch_size=request.param) as opened:
        opened.start_run(s.run_info())
        yield opened
