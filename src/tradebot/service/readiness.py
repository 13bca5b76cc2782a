"""Whether this server is ready for traffic (``/ready``): what each check says.

- **store**: ``SELECT 1`` answers on the service layer's pool;
- **loop**: the hosted engine's loop turned lately (its heartbeat);
- **reconciled**: a live venue's book agreed with ours at the start and since;
- **feed**: every live stream says it is connected.

The engine's checks count only once the host was asked to run something (``api.engine``
none, or live waiting for the operator's go-live, leave only the store: a probe that failed
there would keep the operator away from the very route that starts the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from tradebot.config import mask_url
from tradebot.service.engine_host import LOOP_STALE_S, EngineHost

__all__ = ["Readiness", "readiness"]


@dataclass(frozen=True, slots=True)
class Readiness:
    store: bool
    loop: bool | None = None
    reconciled: bool | None = None
    feed: bool | None = None
    reasons: tuple[str, ...] = field(default=())

    @property
    def ready(self) -> bool:
        return not self.reasons


def readiness(db: Engine, host: EngineHost) -> Readiness:
    reasons: list[str] = []
    store = _store_answers(db, reasons)
    status = host.status()
    if status.state == "idle":
        return Readiness(store, reasons=tuple(reasons))
    loop = status.loop_alive
    if not loop:
        why = status.reason or f"no turn of its loop in {LOOP_STALE_S:g} s"
        reasons.append(f"engine {status.state}: {why}")
    if status.reconciled is False:
        reasons.append("the book does not reconcile with the venue: trading is halted")
    if status.feed_fresh is False:
        view = status.view
        down = ", ".join(view.feed_down) if view is not None and view.feed_down else ""
        reasons.append(f"the live feed is not fresh{': ' + down + ' down' if down else ''}")
    return Readiness(
        store,
        loop=loop,
        reconciled=status.reconciled,
        feed=status.feed_fresh,
        reasons=tuple(reasons),
    )


def _store_answers(db: Engine, reasons: list[str]) -> bool:
    try:
        with db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        reasons.append(mask_url(f"the store is unreachable: {first}"))
        return False
    return True
