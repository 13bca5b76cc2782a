"""``tradebot kill [--flatten] | pause | resume | close SYMBOL | set-tier TIER``: operator
commands for a running paper or live run, from any shell, with no server.

Each writes the command into the run's database, wakes the run's process with SIGUSR1 when
it runs on this host (elsewhere it finds the command within a second on its own), then
waits for the run to apply or refuse it and prints the outcome in one line: exit code 0
when applied, 2 when refused or not taken in time (the command is then withdrawn, so a
process started later does not act on it). Without ``--run`` the command is for the
latest paper or live run that is running. The work is the service layer's
(:class:`tradebot.service.controls.Controls`), which the API's controls call too.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.markup import escape

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.domain.commands import CommandKind, CommandRecord
from tradebot.domain.errors import ConfigError
from tradebot.risk.tiers import TierName

__all__ = ["close", "kill", "pause", "resume", "send_command", "set_tier"]

DEFAULT_TIMEOUT_S = 10.0

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


def send_command(
    kind: CommandKind,
    run_id: str | None,
    timeout_s: float,
    *,
    symbol: str | None = None,
    tier: str | None = None,
) -> CommandRecord:
    """Send the command through the service layer's controls (the API's too) and print
    its outcome in one line (see the module docstring)."""
    from tradebot.service.controls import Controls
    from tradebot.service.database import open_database

    url = settings_of().store.url
    db = open_database(url)
    try:
        record = Controls(db, url, None).send(
            kind,
            run_id=run_id,
            symbol=symbol,
            tier=tier,
            actor=f"pid {os.getpid()}",
            source="cli",
            timeout_s=timeout_s,
        )
    finally:
        db.dispose()
    command = record.command
    line = f"{command.describe()} applied to run {command.run_id}: {record.outcome}"
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
