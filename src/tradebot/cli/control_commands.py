"""``tradebot kill [--flatten] | pause | resume | close SYMBOL | set-tier TIER``: operator
commands for a running paper or live run, from any shell, with no server.

Each writes the command into the run's database, wakes the run's process with SIGUSR1 when
it runs on this host (elsewhere it finds the command within a second on its own), then
waits for the run to apply or refuse it and prints the outcome in one line: exit code 0
when applied, 2 when refused or not taken in time (the command is then withdrawn, so a
process started later does not act on it). Without ``--run`` the command is for the
latest paper or live run that is running.
"""

from __future__ import annotations

import os
import secrets
import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.domain.commands import (
    CommandKind,
    CommandRecord,
    CommandRefusedError,
    CommandStatus,
    OperatorCommand,
)
from tradebot.domain.enums import Mode
from tradebot.domain.errors import ConfigError
from tradebot.risk.tiers import TierName

if TYPE_CHECKING:
    from tradebot.adapters.sql.commands import Runner
    from tradebot.adapters.sql.store import SqlStore

__all__ = ["close", "kill", "pause", "resume", "send_command", "set_tier"]

DEFAULT_TIMEOUT_S = 10.0
_POLL_S = 0.02
_DRIVEN = (Mode.PAPER.value, Mode.LIVE.value)

RunOption = Annotated[
    str | None,
    typer.Option(
        "--run", metavar="RUN_ID", help="The run (default: the latest paper or live run running)."
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", min=0.1, help="Seconds to wait for the run to apply the command."),
]


def _process(owner: str | None) -> tuple[int, bool | None] | None:
    """(pid, whether it runs: None when that cannot be known here) of a lease token."""
    from tradebot.adapters.sql.lease import Owner

    parsed = None if owner is None else Owner.parse(owner)
    return None if parsed is None else (parsed.pid, parsed.runs())


def _target(store: SqlStore, run_id: str | None) -> Runner:
    """The run a command is for, refused in one line when it cannot take one."""
    if run_id is None:
        for runner in store.runners():
            process = _process(runner.owner)
            if process is None or process[1] is not False:
                return runner
        raise ConfigError(
            "no paper or live run is running",
            "start one with `tradebot paper --replay`, or name one with --run RUN_ID",
        )
    found = store.runners(run_id)
    if not found:
        raise ConfigError(
            f"no run {run_id!r} in the database",
            "list the runs with `tradebot backtest list --mode paper`",
        )
    runner = found[0]
    if runner.mode not in _DRIVEN:
        raise ConfigError(
            f"run {run_id} is a {runner.mode}: commands reach paper and live runs only", ""
        )
    process = _process(runner.owner)
    if runner.status != "running" or (process is not None and process[1] is False):
        gone = "" if process is None else f" (its process {process[0]} is gone)"
        raise ConfigError(
            f"run {run_id} is not running{gone}",
            f"resume it with `tradebot paper --replay --resume {run_id}`",
        )
    return runner


def _wake(runner: Runner) -> None:
    """SIGUSR1 to the run's process, when it runs on this host (it then reads the
    command at once; a signal that cannot be sent only costs its next poll)."""
    from tradebot.runtime.commands import WAKE_SIGNAL

    process = _process(runner.owner)
    if process is None or process[1] is not True:
        return
    try:
        os.kill(process[0], WAKE_SIGNAL)
    except OSError:
        return


def _wait(store: SqlStore, command: OperatorCommand, timeout_s: float) -> CommandRecord:
    """The command's record once the run decided it, or a refusal after ``timeout_s``."""
    deadline = monotonic() + timeout_s
    while True:
        record = store.command_record(command.id)
        if record is not None and record.status.final:
            return record
        if monotonic() >= deadline:
            break
        time.sleep(_POLL_S)
    why = f"not taken by run {command.run_id} within {timeout_s:g} s"
    if store.withdraw_command(command.id, f"withdrawn: {why}", utc_now()):
        raise CommandRefusedError(
            f"{command.describe()}: {why} (withdrawn)",
            "is the run still running? `tradebot backtest list --mode paper` shows it",
        )
    raise CommandRefusedError(
        f"{command.describe()}: taken by run {command.run_id} but not applied within "
        f"{timeout_s:g} s",
        "its outcome will be in the database; try a longer --timeout",
    )


def send_command(
    kind: CommandKind,
    run_id: str | None,
    timeout_s: float,
    *,
    symbol: str | None = None,
    tier: str | None = None,
) -> CommandRecord:
    """Write the command, wake the run, wait for its outcome (see the module docstring)."""
    from tradebot.adapters.sql.store import SqlStore

    with SqlStore(settings_of().store.url) as store:
        runner = _target(store, run_id)
        command = OperatorCommand(
            id=f"cmd-{secrets.token_hex(8)}",
            kind=kind,
            ts=utc_now(),
            source="cli",
            run_id=runner.id,
            symbol=symbol,
            tier=tier,
            note=f"pid {os.getpid()}",
        )
        store.post_command(command)
        _wake(runner)
        record = _wait(store, command, timeout_s)
    if record.status is not CommandStatus.APPLIED:
        raise CommandRefusedError(
            f"{command.describe()} refused by run {runner.id}: {record.outcome}", ""
        )
    line = f"{command.describe()} applied to run {runner.id}: {record.outcome}"
    console.print(escape(line), soft_wrap=True, highlight=False)
    return record


@app.command()
def kill(
    flatten: Annotated[bool, typer.Option("--flatten", help="Also close every position.")] = False,
    run: RunOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Halt a running paper/live run: no new orders, every open order cancelled."""
    send_command(CommandKind.FLATTEN if flatten else CommandKind.KILL, run, timeout)


@app.command()
def pause(run: RunOption = None, timeout: TimeoutOption = DEFAULT_TIMEOUT_S) -> None:
    """Stop new entries of a running run (exits and stops go on)."""
    send_command(CommandKind.PAUSE, run, timeout)


@app.command()
def resume(run: RunOption = None, timeout: TimeoutOption = DEFAULT_TIMEOUT_S) -> None:
    """Lift a pause or a kill of a running run."""
    send_command(CommandKind.RESUME, run, timeout)


@app.command()
def close(
    symbol: Annotated[str, typer.Argument(metavar="SYMBOL", help="The position to close.")],
    run: RunOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Close one position of a running run now (a market order)."""
    ticker = symbol.strip().upper()
    if not ticker:
        raise ConfigError("no symbol given", "pass the symbol to close, e.g. AAPL")
    send_command(CommandKind.CLOSE_POSITION, run, timeout, symbol=ticker)


@app.command("set-tier")
def set_tier(
    tier: Annotated[TierName, typer.Argument(metavar="TIER", help="The risk tier.")],
    run: RunOption = None,
    timeout: TimeoutOption = DEFAULT_TIMEOUT_S,
) -> None:
    """Move a running run's risk engine to a tier (conservative, moderate, aggressive)."""
    send_command(CommandKind.SET_TIER, run, timeout, tier=tier.value)
