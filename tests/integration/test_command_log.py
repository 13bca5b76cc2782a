"""The command log in SQL (SQLite and PostgreSQL): a command is pending, then taken by one
reader only, then applied or refused once; a command nobody took can be withdrawn; the
running paper and live runs are found with the process that drives them."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import delete

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql.models import RunRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain import Mode
from tradebot.domain.commands import CommandKind, CommandStatus, OperatorCommand

T0 = s.T0


def _command(n: int, run_id: str = "paper-1", **fields: object) -> OperatorCommand:
    values: dict[str, object] = {
        "id": f"cmd-{n}",
        "kind": CommandKind.KILL,
        "ts": T0 + timedelta(seconds=n),
        "source": "cli",
        "run_id": run_id,
    }
    return OperatorCommand(**(values | fields))  # type: ignore[arg-type]


def _paper(store: SqlStore, run_id: str = "paper-1", minutes: int = 0) -> None:
    at = T0 + timedelta(minutes=minutes)
    store.start_run(s.run_info(run_id, mode=Mode.PAPER, at=at))


def test_a_command_goes_pending_taken_then_decided_once(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _paper(store)
        close = _command(2, kind=CommandKind.CLOSE_POSITION, symbol="AAPL", note="by hand")
        store.post_command(_command(1))
        store.post_command(close)
        store.post_command(_command(1, kind=CommandKind.PAUSE))  # a known id: left alone
        assert store.pending_commands("paper-1") == [_command(1), close]

        assert store.command_taken("cmd-1", T0 + timedelta(seconds=5))
        assert not store.command_taken("cmd-1", T0 + timedelta(seconds=6)), "taken once"
        assert store.pending_commands("paper-1") == [close]

        store.command_outcome("cmd-1", CommandStatus.APPLIED, "halted", T0 + timedelta(seconds=7))
        store.command_outcome("cmd-1", CommandStatus.REFUSED, "late", T0 + timedelta(seconds=8))
        first, second = store.commands("paper-1")
        assert first.command == _command(1) and first.status is CommandStatus.APPLIED
        assert first.taken_at == T0 + timedelta(seconds=5)
        assert (first.decided_at, first.outcome) == (T0 + timedelta(seconds=7), "halted")
        assert second.command == close and second.status is CommandStatus.PENDING
        assert store.command_record("cmd-2") == second
        assert store.command_record("cmd-none") is None


def test_two_stores_never_both_take_a_command(db_url: str) -> None:
    with SqlStore(db_url) as first, SqlStore(db_url) as second:
        _paper(first)
        first.post_command(_command(1))
        taken = [store.command_taken("cmd-1", T0) for store in (second, first)]
        assert taken == [True, False]


def test_a_command_nobody_took_is_withdrawn_and_a_taken_one_is_not(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _paper(store)
        store.post_command(_command(1))
        store.post_command(_command(2))
        store.command_taken("cmd-2", T0)
        assert store.withdraw_command("cmd-1", "withdrawn: not taken", T0)
        assert not store.withdraw_command("cmd-2", "withdrawn: not taken", T0)
        withdrawn, taken = store.commands("paper-1")
        assert withdrawn.status is CommandStatus.REFUSED and withdrawn.outcome.startswith("with")
        assert taken.status is CommandStatus.TAKEN
        assert store.pending_commands("paper-1") == []


def test_an_outcome_lands_on_the_posted_row_only(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _paper(store)
        store.command_outcome("cmd-9", CommandStatus.APPLIED, "nothing to update", T0)
        assert store.commands("paper-1") == []
        store.post_command(_command(9))
        store.command_outcome("cmd-9", CommandStatus.APPLIED, "paused", T0)
        (record,) = store.commands("paper-1")
        assert record.status is CommandStatus.APPLIED and record.taken_at is None


def test_the_running_paper_and_live_runs_come_newest_first_with_their_owner(db_url: str) -> None:
    with SqlStore(db_url) as store:
        store.start_run(s.run_info("bt-1", mode=Mode.BACKTEST))
        _paper(store, "paper-old", minutes=1)
        _paper(store, "paper-new", minutes=2)
        store.finish_run("paper-old", "stopped", T0 + timedelta(minutes=3), {})
        (running,) = store.runners()
        assert (running.id, running.mode, running.status) == ("paper-new", "paper", "running")
        assert running.owner is not None and running.owner.startswith(f"{os.getpid()}@")
        (stopped,) = store.runners("paper-old")
        assert (stopped.status, stopped.owner) == ("stopped", None)
        assert [r.mode for r in store.runners("bt-1")] == ["backtest"]
        assert store.runners("nope") == []


def test_commands_go_with_their_run(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _paper(store)
        store.post_command(_command(1))
        with store.session() as session:
            session.execute(delete(RunRow).where(RunRow.id == "paper-1"))
        assert store.commands("paper-1") == []
