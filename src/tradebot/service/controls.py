""":class:`Controls`: the operator's commands (pause, resume, kill, flatten, close a
position, set the tier) for ``tradebot kill|pause|...`` and the API alike.

:meth:`Controls.send` writes the command into the run's database, wakes the run, and
waits for the run to apply or refuse it:

- the run is the host's own kernel (``tradebot serve`` runs it): its command feed is
  woken directly;
- the run's process is another one on this host: it gets ``SIGUSR1`` (its feed reads the
  command at once); never this process, whose handler for it is not the feed's;
- elsewhere: its feed finds the command within a second on its own.

Applied: the record comes back. Refused, or not taken within ``timeout_s`` (the command is
then withdrawn, so a process started later does not act on a stale order): one line of
:class:`~tradebot.domain.commands.CommandRefusedError` (409 over HTTP, exit code 2 in the
CLI). :meth:`Controls.status` says whether a run is active, paused or killed.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.adapters.sql.commands import Runner
from tradebot.domain.commands import (
    CommandKind,
    CommandRecord,
    CommandRefusedError,
    CommandStatus,
    OperatorCommand,
)
from tradebot.engine.command_stage import gate_from_history
from tradebot.runtime.commands import WAKE_SIGNAL
from tradebot.service.command_log import CommandLog, Speaker, pick_target, process_of
from tradebot.service.engine_host import EngineHost

__all__ = ["DEFAULT_TIMEOUT_S", "ControlState", "Controls", "RunControl"]

DEFAULT_TIMEOUT_S = 10.0
_POLL_S = 0.02

ControlState = Literal["active", "paused", "killed"]


_KILLS = (CommandKind.KILL, CommandKind.FLATTEN)


@dataclass(frozen=True, slots=True)
class RunControl:
    """A running run as the operator sees it: trading, paused or killed, by whom, and its
    risk tier (None: unknown, or a decision stage without tiers)."""

    run_id: str
    mode: str
    state: ControlState
    hold: str | None
    """Who paused or killed it, when (None: active)."""
    tier: str | None
    hosted: bool
    """Whether this process's engine host runs it."""
    started_at: datetime


class Controls:
    """Operator commands for running runs (module docstring)."""

    def __init__(self, db: Engine, url: str, host: EngineHost | None) -> None:
        self._db = db
        self._url = url
        self._host = host
        self._log = CommandLog(db, url)

    def send(
        self,
        kind: CommandKind,
        *,
        run_id: str | None = None,
        symbol: str | None = None,
        tier: str | None = None,
        actor: str,
        source: Speaker,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> CommandRecord:
        """Write the command, wake the run, wait for its outcome; the applied record."""
        runner = self.target(run_id, source)
        try:
            command = OperatorCommand(
                id=f"cmd-{secrets.token_hex(8)}",
                kind=kind,
                ts=utc_now(),
                source=source,
                run_id=runner.id,
                symbol=symbol,
                tier=tier,
                note=actor[:200],
            )
        except ValueError as exc:
            raise CommandRefusedError(f"{kind}: {exc}", "") from None
        self._log.post_command(command)
        self._wake(runner)
        record = self._wait(command, timeout_s, source)
        if record.status is not CommandStatus.APPLIED:
            raise CommandRefusedError(
                f"{command.describe()} refused by run {runner.id}: {record.outcome}", ""
            )
        return record

    def target(self, run_id: str | None, speaker: Speaker = "api") -> Runner:
        """The run a command would go to (the host's own first when none is named)."""
        if run_id is None and self._host is not None:
            hosted = self._host.current_run_id()
            if hosted is not None and self._log.runners(hosted):
                run_id = hosted
        return pick_target(self._log, run_id, speaker)

    def status(self, run_id: str | None = None) -> RunControl:
        """Whether the run (default: the one a command would go to) trades, is paused or is
        killed, from its applied commands — what its kernel's gate holds."""
        runner = self.target(run_id)
        gate = gate_from_history(self._log.commands(runner.id))
        hosted = self._host is not None and self._host.current_run_id() == runner.id
        tier = self._log.latest_tier(runner.id)  # written before the command's outcome
        if tier is None and hosted:
            tier = self._hosted_tier()
        state: ControlState = "active"
        hold = None
        if gate.halted is not None:
            state, hold = "killed", gate.halted.describe()
        elif gate.paused is not None:
            state, hold = "paused", gate.paused.describe()
        return RunControl(
            run_id=runner.id,
            mode=runner.mode,
            state=state,
            hold=hold,
            tier=tier,
            hosted=hosted,
            started_at=runner.started_at,
        )

    def resume_lifts_a_kill(self, run_id: str | None = None) -> bool:
        """Whether a resume sent now would lift a kill: the run is killed, or a kill (or a
        flatten) is on its way to it — written, not yet decided. The API asks a fresh
        passkey assertion then; checking the applied state alone would let a resume sent
        right behind a kill undo it without one."""
        records = self._log.commands(self.target(run_id).id)
        if gate_from_history(records).halted is not None:
            return True
        return any(r.command.kind in _KILLS and not r.status.final for r in records)

    def _hosted_tier(self) -> str | None:
        if self._host is None:
            return None
        view = self._host.status().view
        return None if view is None else view.tier

    def _wake(self, runner: Runner) -> None:
        """The host's own feed, or ``SIGUSR1`` to the run's process on this host (a signal
        that cannot be sent only costs the run its next poll)."""
        if self._host is not None and self._host.wake_commands(runner.id):
            return
        process = process_of(runner.owner)
        if process is None or process[1] is not True or process[0] == os.getpid():
            return
        try:
            os.kill(process[0], WAKE_SIGNAL)
        except OSError:
            return

    def _wait(self, command: OperatorCommand, timeout_s: float, speaker: Speaker) -> CommandRecord:
        """The command's record once the run decided it, or a refusal after ``timeout_s``."""
        deadline = monotonic() + timeout_s
        while True:
            record = self._log.command_record(command.id)
            if record is not None and record.status.final:
                return record
            if monotonic() >= deadline:
                break
            time.sleep(_POLL_S)
        why = f"not taken by run {command.run_id} within {timeout_s:g} s"
        if self._log.withdraw_command(command.id, f"withdrawn: {why}", utc_now()):
            hint = (
                "is the run still running? `tradebot backtest list --mode paper` shows it"
                if speaker == "cli"
                else "is the run still running? GET /api/trading/status shows it"
            )
            raise CommandRefusedError(f"{command.describe()}: {why} (withdrawn)", hint)
        raise CommandRefusedError(
            f"{command.describe()}: taken by run {command.run_id} but not applied within "
            f"{timeout_s:g} s",
            "its outcome will be in the database; try a longer "
            + ("--timeout" if speaker == "cli" else "timeout_s"),
        )
