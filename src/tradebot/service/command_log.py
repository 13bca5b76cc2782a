"""The operator-command log on the service layer's own pool, and which run a command is for.

:class:`CommandLog` is the store's :class:`~tradebot.adapters.sql.commands.CommandRows`
(the same conditional updates: two processes never both take one command) over the
service's engine instead of a store of its own, with the few reads the controls need
(the run's latest tier).

:func:`pick_target` is ``tradebot kill``'s choice of run: the one named, refused in one
line when it is not a running paper or live run; or the latest running one whose process
is not known to be gone. The refusal hints speak the caller's language (CLI options or API
fields).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite

from tradebot.adapters.sql.commands import CommandRows, Runner
from tradebot.adapters.sql.lease import Owner
from tradebot.adapters.sql.models import RiskEventRow, RiskStateRow
from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.enums import Mode

__all__ = ["CommandLog", "Speaker", "pick_target", "process_of"]

Speaker = Literal["cli", "api"]
_DRIVEN = (Mode.PAPER.value, Mode.LIVE.value)
_HINTS: dict[str, dict[Speaker, str]] = {
    "none": {
        "cli": "start one with `tradebot paper --replay`, or name one with --run RUN_ID",
        "api": "start one (`tradebot paper --replay`, or api.engine), or pass run_id",
    },
    "unknown": {
        "cli": "list the runs with `tradebot backtest list --mode paper`",
        "api": "GET /api/runs lists them",
    },
}


class CommandLog(CommandRows):
    """The command log over an engine the caller owns (it is not disposed here)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self._url = url
        postgres = engine.dialect.name == "postgresql"
        self._insert = postgresql.insert if postgres else sqlite.insert
        self._closed = False

    def latest_tier(self, run_id: str) -> str | None:
        """The run's risk tier as its database last recorded it: the latest tier change,
        else the saved risk state's (None: nothing recorded, or no risk engine)."""
        change = (
            select(RiskEventRow.payload)
            .where(RiskEventRow.run_id == run_id, RiskEventRow.kind == "tier_change")
            .order_by(RiskEventRow.ts.desc(), RiskEventRow.id.desc())
            .limit(1)
        )
        rows = self._read(f"reading the tier of run {run_id!r}", change)
        if rows:
            return str(rows[0].payload.get("new") or "") or None
        saved = select(RiskStateRow.state).where(RiskStateRow.run_id == run_id)
        rows = self._read(f"reading the risk state of run {run_id!r}", saved)
        if rows and isinstance(rows[0].state, dict):
            tier = rows[0].state.get("tier")
            return str(tier) if tier else None
        return None


def process_of(owner: str | None) -> tuple[int, bool | None] | None:
    """(pid, whether it runs: None when that cannot be known here) of a lease token."""
    parsed = None if owner is None else Owner.parse(owner)
    return None if parsed is None else (parsed.pid, parsed.runs())


def pick_target(log: CommandRows, run_id: str | None, speaker: Speaker) -> Runner:
    """The run a command is for, refused in one line when it cannot take one."""
    if run_id is None:
        for runner in log.runners():
            process = process_of(runner.owner)
            if process is None or process[1] is not False:
                return runner
        raise CommandRefusedError("no paper or live run is running", _HINTS["none"][speaker])
    found = log.runners(run_id)
    if not found:
        hint = _HINTS["unknown"][speaker]
        raise CommandRefusedError(f"no run {run_id!r} in the database", hint)
    runner = found[0]
    if runner.mode not in _DRIVEN:
        raise CommandRefusedError(
            f"run {run_id} is a {runner.mode}: commands reach paper and live runs only", ""
        )
    process = process_of(runner.owner)
    if runner.status != "running" or (process is not None and process[1] is False):
        gone = "" if process is None else f" (its process {process[0]} is gone)"
        raise CommandRefusedError(
            f"run {run_id} is not running{gone}",
            f"resume it with `tradebot paper --replay --resume {run_id}`",
        )
    return runner
