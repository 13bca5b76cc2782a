"""The :class:`~tradebot.ports.CommandLog` port in SQL: operator commands for running runs.

Mixed into :class:`~tradebot.adapters.sql.store.SqlStore`. Every call is its own
transaction, committed before it returns, whatever the store's batch size: an operator
waits on each step. The steps are conditional updates, so two processes never both take
one command, and a command never leaves a final state:

- ``post_command`` inserts a ``pending`` row (a known id is left alone: insert-or-ignore);
- ``command_taken`` moves ``pending`` → ``taken`` and says whether this call did it;
- ``command_outcome`` records ``applied`` or ``refused`` with its line, and ``issued`` the
  row first if it never had one (a command that reached the kernel another way);
- ``withdraw_command`` refuses a command nobody took (the issuer gave up waiting), so a
  process that starts later does not act on a stale order.

``runners`` tells the CLI which run a command is for and which process drives it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.exc import SQLAlchemyError

from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.models import OperatorCommandRow, RunRow
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.commands import CommandKind, CommandRecord, CommandStatus, OperatorCommand
from tradebot.domain.enums import Mode
from tradebot.domain.errors import StoreError

__all__ = ["CommandRows", "Runner"]

_OUTCOME_CHARS = 2000
_DRIVEN = (Mode.PAPER.value, Mode.LIVE.value)


class Runner(NamedTuple):
    """A run as a command's issuer sees it: whether it runs and which process drives it
    (its lease token, ``pid@host/...``; None when nobody does)."""

    id: str
    mode: str
    status: str
    owner: str | None
    started_at: datetime


def _table() -> Table:
    table = OperatorCommandRow.__table__
    assert isinstance(table, Table)
    return table


def _utc(ts: datetime, what: str) -> datetime:
    try:
        return to_utc(ts)
    except ValueError as exc:
        raise StoreError(f"cannot record {what}: {exc}", "pass a UTC datetime") from exc


def _row(command: OperatorCommand) -> dict[str, Any]:
    return {
        "id": command.id,
        "run_id": command.run_id,
        "kind": command.kind.value,
        "symbol": command.symbol,
        "tier": command.tier,
        "note": command.note,
        "source": command.source,
        "issued_at": _utc(command.ts, f"command {command.id}"),
        "status": CommandStatus.PENDING.value,
        "taken_at": None,
        "decided_at": None,
        "outcome": "",
    }


def _command(row: Any) -> OperatorCommand:
    return OperatorCommand(
        id=row.id,
        kind=CommandKind(row.kind),
        ts=to_utc(row.issued_at),
        source=row.source,
        run_id=row.run_id,
        symbol=row.symbol,
        tier=row.tier,
        note=row.note,
    )


def _record(row: Any) -> CommandRecord:
    return CommandRecord(
        command=_command(row),
        status=CommandStatus(row.status),
        taken_at=None if row.taken_at is None else to_utc(row.taken_at),
        decided_at=None if row.decided_at is None else to_utc(row.decided_at),
        outcome=row.outcome,
    )


class CommandRows:
    """The command log over ``self._engine`` (see the module docstring)."""

    _engine: Engine
    _url: str
    _insert: Callable[[Table], Any]
    _closed: bool

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed", "open a new SqlStore")

    def _write(self, what: str, statement: Any) -> int:
        self._check_open()
        try:
            with self._engine.begin() as connection:
                return int(connection.execute(statement).rowcount)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, what) from exc

    def _read(self, what: str, query: Any) -> list[Any]:
        self._check_open()
        try:
            with self._engine.connect() as connection:
                return list(connection.execute(query).all())
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, what) from exc

    def post_command(self, command: OperatorCommand) -> None:
        """Record ``command`` as pending (committed at once); a known id is left alone."""
        statement = self._insert(_table()).values(_row(command))
        self._write(f"recording command {command.id}", statement.on_conflict_do_nothing())

    def pending_commands(self, run_id: str) -> list[OperatorCommand]:
        """The run's commands not yet taken, oldest first."""
        table = _table()
        query = (
            select(table)
            .where(table.c.run_id == run_id, table.c.status == CommandStatus.PENDING.value)
            .order_by(table.c.issued_at, table.c.id)
        )
        rows = self._read(f"reading the commands of run {run_id!r}", query)
        return [_command(row) for row in rows]

    def command_taken(self, command_id: str, ts: datetime) -> bool:
        """``pending`` → ``taken`` at ``ts``; False when it was not pending (taken by
        another reader, withdrawn, unknown)."""
        table = _table()
        statement = (
            update(table)
            .where(table.c.id == command_id, table.c.status == CommandStatus.PENDING.value)
            .values(status=CommandStatus.TAKEN.value, taken_at=_utc(ts, "a command taken"))
        )
        return self._write(f"taking command {command_id}", statement) == 1

    def command_outcome(
        self, command_id: str, status: CommandStatus, outcome: str, ts: datetime
    ) -> None:
        """Record the command applied or refused at ``ts`` with ``outcome`` (one line). A
        command already decided keeps its first outcome."""
        if not status.final:
            raise ValueError(f"an outcome is applied or refused, not {status}")
        table = _table()
        final = (CommandStatus.APPLIED.value, CommandStatus.REFUSED.value)
        statement = (
            update(table)
            .where(table.c.id == command_id, table.c.status.not_in(final))
            .values(
                status=status.value,
                decided_at=_utc(ts, "a command's outcome"),
                outcome=outcome[:_OUTCOME_CHARS],
            )
        )
        self._write(f"recording the outcome of command {command_id}", statement)

    def withdraw_command(self, command_id: str, outcome: str, ts: datetime) -> bool:
        """Refuse a command that is still pending (nobody took it); False when it was
        taken (or decided) already."""
        table = _table()
        statement = (
            update(table)
            .where(table.c.id == command_id, table.c.status == CommandStatus.PENDING.value)
            .values(
                status=CommandStatus.REFUSED.value,
                decided_at=_utc(ts, "a withdrawn command"),
                outcome=outcome[:_OUTCOME_CHARS],
            )
        )
        return self._write(f"withdrawing command {command_id}", statement) == 1

    def commands(self, run_id: str) -> list[CommandRecord]:
        """The run's commands, oldest first, with how far each got."""
        table = _table()
        query = select(table).where(table.c.run_id == run_id)
        rows = self._read(
            f"reading the commands of run {run_id!r}",
            query.order_by(table.c.issued_at, table.c.id),
        )
        return [_record(row) for row in rows]

    def command_record(self, command_id: str) -> CommandRecord | None:
        """One command and how far it got (what its issuer polls)."""
        table = _table()
        rows = self._read(
            f"reading command {command_id}", select(table).where(table.c.id == command_id)
        )
        return _record(rows[0]) if rows else None

    def runners(self, run_id: str | None = None) -> list[Runner]:
        """The paper and live runs that are running, newest first; or run ``run_id``,
        whatever its mode and status ([] when there is none)."""
        runs = RunRow.__table__
        assert isinstance(runs, Table)
        query = select(
            runs.c.id, runs.c.mode, runs.c.status, runs.c.owner, runs.c.started_at
        ).order_by(runs.c.started_at.desc(), runs.c.id.desc())
        if run_id is None:
            query = query.where(runs.c.status == "running", runs.c.mode.in_(_DRIVEN))
        else:
            query = query.where(runs.c.id == run_id)
        self._check_open()
        try:
            with self._engine.connect() as connection:
                found = connection.execute(query).all()
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, "reading the running runs") from exc
        return [Runner(r.id, r.mode, r.status, r.owner, to_utc(r.started_at)) for r in found]
