"""Which run a restarted server continues: the hosted run a previous server left unfinished.

``tradebot serve`` hosting a paper replay or a paper session, stopped (Ctrl-C, a deploy) or
killed, continues that run when it starts again — cold start and restart are one path, as
for ``tradebot paper --resume`` — instead of opening a second run beside it (a second book
on the same paper account would meet the first one's positions as someone else's). A run
qualifies when it is a paper run of the same kind (a replay: no broker recorded; a session:
the same broker and symbols), stopped or still marked running with its process gone.
``api.resume: false`` always starts a new run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.lease import Owner
from tradebot.adapters.sql.models import RunRow

__all__ = ["unfinished_hosted_run"]

_UNFINISHED = ("stopped", "running")
_LOOKED_AT = 20


def unfinished_hosted_run(url: str, broker: str | None, symbols: Sequence[str]) -> str | None:
    """The newest paper run to continue (module docstring): a replay when ``broker`` is
    None, else a session on ``broker`` trading ``symbols`` (empty: any); None when none."""
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(RunRow.id, RunRow.status, RunRow.owner, RunRow.symbols, RunRow.config)
                .where(RunRow.mode == "paper", RunRow.status.in_(_UNFINISHED))
                .order_by(RunRow.started_at.desc(), RunRow.id.desc())
                .limit(_LOOKED_AT)
            ).all()
    finally:
        engine.dispose()
    for row in rows:
        if _same_kind(row.config or {}, broker, tuple(row.symbols or ()), tuple(symbols)) and (
            row.status == "stopped" or not _driven(row.owner)
        ):
            return str(row.id)
    return None


def _same_kind(
    config: dict[str, Any], broker: str | None, recorded: tuple[str, ...], wanted: tuple[str, ...]
) -> bool:
    if config.get("broker") != broker:
        return False
    return not wanted or set(recorded) == set(wanted)


def _driven(owner: str | None) -> bool:
    """Whether a process may still drive the run (its lease holder runs, or cannot be
    known to have stopped: on another host)."""
    parsed = None if owner is None else Owner.parse(owner)
    return parsed is not None and parsed.runs() is not False
