"""The lease reads no clock of its own: heartbeats are the injected ``now``, a lease from
another host lapses when that clock passes its TTL, and renewals are paced by the injected
``monotonic`` — so these tests move a manual clock instead of waiting or backdating rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql.lease import Lease
from tradebot.adapters.sql.models import RunRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.errors import StoreError
from tradebot.testing import ManualClock

T0 = datetime(2024, 3, 4, 15, 0, tzinfo=UTC)
ELSEWHERE = "4242@trading-box-2/8812/nonce"


def _lease(store: SqlStore) -> tuple[str | None, datetime | None]:
    with store.session() as session:
        row = session.get(RunRow, "run-1")
        assert row is not None
        return row.owner, row.heartbeat_at


def _heard_from_elsewhere(store: SqlStore, at: datetime) -> None:
    with store.session() as session:
        session.execute(
            update(RunRow).where(RunRow.id == "run-1").values(owner=ELSEWHERE, heartbeat_at=at)
        )


def test_heartbeats_are_stamped_with_the_injected_clock(db_url: str) -> None:
    clock = ManualClock(T0)
    with SqlStore(db_url, now=clock.now) as store:
        store.start_run(s.run_info())
        assert _lease(store) == (store._lease.token, T0)


def test_a_lease_from_another_host_lapses_when_the_injected_clock_passes_its_ttl(
    db_url: str,
) -> None:
    clock = ManualClock(T0)
    with (
        SqlStore(db_url, now=clock.now) as first,
        SqlStore(db_url, now=clock.now) as second,
    ):
        first.start_run(s.run_info())
        _heard_from_elsewhere(first, T0)

        clock.advance_to(T0 + timedelta(seconds=60))  # exactly the TTL: still held
        with pytest.raises(StoreError) as caught:
            second.start_run(s.run_info())
        assert "(pid 4242 on trading-box-2, heard from 60 s ago)" in caught.value.one_line()

        clock.advance_to(T0 + timedelta(seconds=61))
        second.start_run(s.run_info())
        assert _lease(first) == (second._lease.token, T0 + timedelta(seconds=61))


def test_renewals_are_paced_by_the_injected_monotonic_clock() -> None:
    seconds = [1000.0]
    lease = Lease(timedelta(seconds=60), monotonic=lambda: seconds[0])
    assert not lease.due()  # nothing held: nothing to renew
    lease.held.add("run-1")
    seconds[0] += 4.5
    assert not lease.due()
    seconds[0] += 0.5  # RENEW_EVERY_S (a quarter of the TTL would be 15 s)
    assert lease.due()
    lease.renewed()
    assert not lease.due()
