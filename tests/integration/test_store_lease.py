"""One owner per run: a store drives the runs it starts, and another is refused until the
owner finishes, closes, dies or falls silent for longer than the lease TTL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql.lease import Owner
from tradebot.adapters.sql.models import RunRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.errors import StoreError

HOST = socket.gethostname()


@pytest.fixture
def stores(db_url: str) -> Iterator[tuple[SqlStore, SqlStore]]:
    """Two stores on one database, as two processes would have."""
    with SqlStore(db_url) as first, SqlStore(db_url) as second:
        yield first, second


def _lease(store: SqlStore, run_id: str = "run-1") -> tuple[str | None, datetime | None]:
    with store.session() as session:
        row = session.get(RunRow, run_id)
        assert row is not None
        return row.owner, row.heartbeat_at


def _set_lease(store: SqlStore, owner: str, heartbeat: datetime, run_id: str = "run-1") -> None:
    with store.session() as session:
        session.execute(
            update(RunRow).where(RunRow.id == run_id).values(owner=owner, heartbeat_at=heartbeat)
        )


def _refused(caught: pytest.ExceptionInfo[StoreError], pid: int, host: str) -> str:
    line = caught.value.one_line()
    assert "\n" not in line
    assert f"run run-1 is being driven by another process (pid {pid} on {host}, heard " in line
    return line


def test_a_second_store_is_refused_while_the_first_drives_the_run(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    first, second = stores
    first.start_run(s.run_info())
    with pytest.raises(StoreError) as caught:
        second.start_run(s.run_info())
    _refused(caught, os.getpid(), HOST)
    first.start_run(s.run_info())  # the owner itself may start it again (a restart)

    with pytest.raises(StoreError, match="being driven by another process"):
        second.finish_run("run-1", "completed", s.T0, {})
    record = first.run("run-1")
    assert record is not None and record.status == "running"


def test_a_resume_claims_the_run_before_it_reads_it(stores: tuple[SqlStore, SqlStore]) -> None:
    """claim_run (what a resume does first) holds the run against a second driver and
    against another process finishing it, and start_run keeps the claim."""
    first, second = stores
    first.start_run(s.run_info())
    first.finish_run("run-1", "stopped", s.T0, {})
    assert second.claim_run("nope") is False
    assert second.claim_run("run-1") is True
    with pytest.raises(StoreError, match="being driven by another process"):
        first.claim_run("run-1")
    with pytest.raises(StoreError, match="being driven by another process"):
        first.finish_run("run-1", "completed", s.T0, {})
    second.start_run(s.run_info())
    assert _lease(second)[0] == _lease(first)[0] is not None
    second.close()
    assert _lease(first)[0] is None


@pytest.mark.parametrize("round_", range(3))
def test_of_two_stores_claiming_a_stopped_run_at_once_exactly_one_wins(
    stores: tuple[SqlStore, SqlStore], round_: int
) -> None:
    first = stores[0]
    first.start_run(s.run_info())
    first.finish_run("run-1", "stopped", s.T0, {})  # a run to resume, driven by nobody
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def claim(index: int, store: SqlStore) -> None:
        barrier.wait()
        try:
            store.start_run(s.run_info())
            outcomes[index] = "won"
        except StoreError as exc:
            outcomes[index] = exc.one_line()

    threads = [threading.Thread(target=claim, args=(i, st)) for i, st in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values())[-1] == "won"
    assert sum(outcome == "won" for outcome in outcomes.values()) == 1, outcomes
    winner = stores[next(i for i, o in outcomes.items() if o == "won")]
    assert _lease(first)[0] == winner._lease.token


def test_finishing_or_closing_lets_the_run_go(db_url: str) -> None:
    with SqlStore(db_url) as first:
        first.start_run(s.run_info())
        first.finish_run("run-1", "stopped", s.T0, {})
        assert _lease(first) == (None, None)
        with SqlStore(db_url) as second:
            second.start_run(s.run_info())  # resumed elsewhere
            assert _lease(first)[0] == second._lease.token
        assert _lease(first) == (None, None)  # closed without finishing: let go too
        first.start_run(s.run_info())


def test_on_this_host_the_process_table_decides(stores: tuple[SqlStore, SqlStore]) -> None:
    first, second = stores
    first.start_run(s.run_info())
    me = Owner.of_this_process()
    long_ago = datetime.now(UTC) - timedelta(hours=3)

    # Quiet for hours, but its process runs: still its run (a long replay, a pause).
    _set_lease(first, replace(me, nonce="another-store").token, long_ago)
    with pytest.raises(StoreError) as caught:
        second.start_run(s.run_info())
    assert "heard from 3 h ago" in _refused(caught, os.getpid(), HOST)

    # Its process is gone (exited and reaped): taken over at once, as after `kill -9`.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    _set_lease(first, Owner(child.pid, HOST, me.started, "x").token, datetime.now(UTC))
    second.start_run(s.run_info())
    assert _lease(first)[0] == second._lease.token

    # Its pid now belongs to a process started at another time: gone too.
    _set_lease(first, replace(me, started="1", nonce="x").token, datetime.now(UTC))
    first.start_run(s.run_info())
    assert _lease(first)[0] == first._lease.token


def test_a_lease_from_another_host_lapses_after_its_ttl(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    first, second = stores
    first.start_run(s.run_info())
    elsewhere = "4242@trading-box-2/8812/nonce"
    _set_lease(first, elsewhere, datetime.now(UTC))
    with pytest.raises(StoreError) as caught:
        second.start_run(s.run_info())
    line = _refused(caught, 4242, "trading-box-2")
    assert "s ago" in line and "60 s after its last heartbeat" in caught.value.hint

    _set_lease(first, elsewhere, datetime.now(UTC) - timedelta(seconds=61))
    second.start_run(s.run_info())
    assert _lease(first)[0] == second._lease.token


def test_the_owner_renews_its_heartbeat_with_its_writes(db_url: str) -> None:
    # A zero TTL renews on every write (the default renews at most every 5 s).
    with SqlStore(db_url, lease_ttl=timedelta(0)) as store:
        store.start_run(s.run_info())
        token = store._lease.token
        long_ago = datetime(2020, 1, 1, tzinfo=UTC)
        _set_lease(store, token, long_ago)
        store.record_signal("run-1", s.signal(1))
        owner, heartbeat = _lease(store)
        assert owner == token
        assert heartbeat is not None and heartbeat > long_ago


def test_a_store_that_lost_its_run_writes_nothing_more(db_url: str) -> None:
    first = SqlStore(db_url, lease_ttl=timedelta(0))  # renews on every write
    first.start_run(s.run_info())
    # It fell silent for longer than the TTL, and a driver on another host took over.
    _set_lease(first, "4242@trading-box-2/8812/nonce", datetime.now(UTC))

    attempts: tuple[Callable[[], None], ...] = (
        lambda: first.record_signal("run-1", s.signal(1)),  # refused, the whole write
        first.flush,  # and its retries
        lambda: first.finish_run("run-1", "failed", s.T0, {}),
    )
    for attempt in attempts:
        with pytest.raises(StoreError) as caught:
            attempt()
        assert caught.value.one_line().startswith(
            "this process lost its claim: run run-1 is being driven by another process "
            "(pid 4242 on trading-box-2, heard from "
        )
    assert first.signals("run-1") == []
    record = first.run("run-1")
    assert record is not None and record.status == "running"
    with pytest.raises(StoreError, match="lost its claim"):
        first.close()
