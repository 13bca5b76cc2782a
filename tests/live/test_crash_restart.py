"""Crash restarts against the local Alpaca: a real ``tradebot paper --broker alpaca`` process
killed with SIGKILL at random moments while bars stream and orders fill, restarted with
``--resume`` each time, then audited against the venue's book (``crash_harness``,
``crash_checks``): no duplicate order, no lost or repeated fill, the ledger equal to the
venue. The two venue faults a restart must also survive: a submission answered 504 after
the venue accepted it, and the trade_updates socket dropped inside a fill.

The full 200-kill figures are ``bench/bench_crash.py``'s (bench/README.md).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.live.crash_checks import audit
from tests.live.crash_harness import (
    WARMUP_TIMES,
    CrashPlan,
    CrashReport,
    Publisher,
    Session,
    bar_times,
    run_trials,
    session_env,
    wait_until,
    write_config,
)
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.enums import OrderStatus
from tradebot.testing.alpaca import AlpacaVenue


def _clean(report: CrashReport) -> None:
    """What every crash run must end with."""
    audit = report.audit
    logs = f"(session logs in {report.logs})"
    assert report.settled, f"the last session never took in every venue fill {logs}"
    assert report.stopped_cleanly, f"the last session did not stop on SIGTERM {logs}"
    assert audit.problems() == [], logs
    assert (audit.duplicates, audit.lost, audit.ledger_ok) == (0, 0, True)
    assert report.halted_starts == [], logs
    assert audit.not_ok == [], logs
    assert audit.executions > 0, "the venue filled nothing: the trial proved nothing"


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    report = run_trials(CrashPlan(kills=3, seed=7), tmp_path)
    assert report.kills == 3
    assert report.restarts == 3
    assert len(report.restart_s) == 3, "every restart reconciled"
    _clean(report)


def test_a_504_after_accept_leaves_exactly_one_venue_order(tmp_path: Path) -> None:
    report = run_trials(CrashPlan(kills=1, seed=11, fault="504", fault_count=3), tmp_path)
    assert report.fault_used == 3
    assert len(report.fault_hits) == 3
    assert report.fault_recovered, "a 504'd order's fate stayed unknown to the session"
    _clean(report)


def test_a_socket_dropped_mid_fill_recovers_the_fill_once(tmp_path: Path) -> None:
    report = run_trials(CrashPlan(kills=1, seed=13, fault="drop", fault_count=3), tmp_path)
    assert report.fault_used == 3
    assert len(report.fault_hits) == 3
    assert report.fault_recovered, "a fill whose event was dropped never reached the store"
    _clean(report)


def test_a_kill_between_a_fill_and_its_order_status_restarts_reconciled(
    tmp_path: Path,
) -> None:
    """The state a kill between ``record_fill`` and the order's ``record_order`` leaves —
    the fill stored, the order still ``accepted`` — made on purpose, then ``--resume``."""
    times = bar_times(WARMUP_TIMES + 2000)
    with AlpacaVenue() as venue:
        venue.add_history(bar for group in times[:WARMUP_TIMES] for bar in group)
        config, env = write_config(tmp_path, venue), session_env(venue)
        publisher = Publisher(venue, times[WARMUP_TIMES:], 0.05).start()
        first = Session(config, env, tmp_path / "first.log", None)
        store = SqlStore(f"sqlite:///{tmp_path / 'crash.db'}")
        try:
            assert first.wait_up(90), first.tail()

            def filled() -> list[str]:
                orders = store.orders(first.run_id)
                return [o.client_order_id for o in orders if o.status is OrderStatus.FILLED]

            assert wait_until(lambda: bool(filled()), 90), "no order filled"
            first.kill()
            publisher.stop()
            victim = filled()[0]
            with store.session() as db:
                db.execute(
                    text("update orders set status = 'accepted' where client_order_id = :c"),
                    {"c": victim},
                )
            again = Session(config, env, tmp_path / "again.log", first.run_id)
            assert again.wait_up(90), again.tail()
            line = again.reconciliation
            assert again.terminate(timeout=60)
        finally:
            publisher.stop()
            store.close()
        assert line == "reconciliation: book reconciled"
        store = SqlStore(f"sqlite:///{tmp_path / 'crash.db'}")
        try:
            assert audit(store, first.run_id, venue).problems() == []
        finally:
            store.close()
