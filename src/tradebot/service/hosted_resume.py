"""Which run a restarted server continues: the hosted run a previous server left unfinished.

``tradebot serve`` hosting a paper replay or a paper session, stopped (Ctrl-C, a deploy) or
killed, continues that run when it starts again — cold start and restart are one path, as
for ``tradebot paper --resume`` — instead of opening a second run beside it (a second book
on the same paper account would meet the first one's positions as someone else's). A run
qualifies when it is a paper run of the same kind (a replay: no broker recorded; a session:
the same broker and symbols), stopped or still marked running, and no live process holds
its lease — whatever its status: ``tradebot paper --replay --resume R`` claims R while it
is still marked stopped. A replay qualifies only with a saved risk state (one stopped
before its first bar time was done has nothing to continue from; a session without one
continues all the same, its book reconciled with the venue). ``api.resume: false`` always
starts a new run.

Continuing may still fail after the pick (the run changed in between, its data folder is
gone): :func:`continuing` then logs one line and opens a new run instead, so a server
never stays down on a run it cannot continue.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import exists, select

from tradebot.adapters.sql.connect import open_engine
from tradebot.adapters.sql.models import RiskStateRow, RunRow
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import get_logger
from tradebot.service.command_log import process_of

__all__ = ["continuing", "unfinished_hosted_run"]

T = TypeVar("T")
_log = get_logger("engine-host")

_UNFINISHED = ("stopped", "running")
_LOOKED_AT = 20


def unfinished_hosted_run(url: str, broker: str | None, symbols: Sequence[str]) -> str | None:
    """The newest paper run to continue (module docstring): a replay when ``broker`` is
    None, else a session on ``broker`` trading ``symbols`` (empty: any); None when none."""
    engine = open_engine(url)
    try:
        with engine.connect() as connection:
            saved = exists().where(RiskStateRow.run_id == RunRow.id)
            rows = connection.execute(
                select(
                    RunRow.id,
                    RunRow.owner,
                    RunRow.symbols,
                    RunRow.config,
                    saved.label("saved"),
                )
                .where(RunRow.mode == "paper", RunRow.status.in_(_UNFINISHED))
                .order_by(RunRow.started_at.desc(), RunRow.id.desc())
                .limit(_LOOKED_AT)
            ).all()
    finally:
        engine.dispose()
    for row in rows:
        if (
            _same_kind(row.config or {}, broker, tuple(row.symbols or ()), tuple(symbols))
            and (broker is not None or bool(row.saved))
            and not _driven(row.owner)
        ):
            return str(row.id)
    return None


def continuing(opener: Callable[[str | None], T], resume: str | None) -> T:
    """``opener(resume)``; when continuing ``resume`` is refused (a :class:`ConfigError`),
    one log line and ``opener(None)``: a new run (module docstring)."""
    if resume is None:
        return opener(None)
    try:
        return opener(resume)
    except ConfigError as exc:
        _log.warning(
            "cannot continue the previous hosted run: starting a new one",
            run_id=resume,
            error=exc.one_line(),
        )
    return opener(None)


def _same_kind(
    config: dict[str, Any], broker: str | None, recorded: tuple[str, ...], wanted: tuple[str, ...]
) -> bool:
    if config.get("broker") != broker:
        return False
    return not wanted or set(recorded) == set(wanted)


def _driven(owner: str | None) -> bool:
    """Whether a process may still drive the run (its lease holder runs, or cannot be
    known to have stopped: on another host)."""
    process = process_of(owner)
    return process is not None and process[1] is not False
