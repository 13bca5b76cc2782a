"""Whether this server is ready for traffic (``/ready``): what each check says.

- **store**: ``SELECT 1`` answers on the service layer's pool;
- **loop**: the hosted engine's loop turned lately (its heartbeat);
- **reconciled**: a live venue's book agreed with ours at the start and since;
- **feed**: every live stream says it is connected;
- **services**: no outside service the engine trades through has its circuit breaker open
  (the process's :class:`~tradebot.ops.resilience.ServiceBoard`: a venue's REST API); one
  reason per breaker that is open or half-open, "<service> unavailable: <last error>
  (circuit open; next trial in N s)". Every breaker's state is shown in ``services``, the
  notification channels' too (``notify:telegram``...) — shown only: a Telegram outage
  does not make the bot unfit to trade, and its notifications wait to be delivered.

The engine's checks, breakers included, count only once the host was asked to run something
(``api.engine`` none, or live waiting for the operator's go-live, leave only the store: a
probe that failed there would keep the operator away from the very route that starts the
engine, and starting a session's venue proves the venue again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from tradebot.config import mask_url
from tradebot.ops.circuit import CircuitState
from tradebot.ops.resilience import SERVICE_BOARD, ServiceBoard
from tradebot.service.engine_host import LOOP_STALE_S, EngineHost

__all__ = ["Readiness", "readiness"]


@dataclass(frozen=True, slots=True)
class Readiness:
    store: bool
    loop: bool | None = None
    reconciled: bool | None = None
    feed: bool | None = None
    reasons: tuple[str, ...] = field(default=())
    services: dict[str, str] = field(default_factory=dict)
    """Each outside service's circuit breaker: ``closed``, ``half_open`` or ``open``."""

    @property
    def ready(self) -> bool:
        return not self.reasons


def readiness(
    db: Engine,
    host: EngineHost,
    board: ServiceBoard | None = None,
    channels: Mapping[str, CircuitState] | None = None,
) -> Readiness:
    """What each check says now; ``board``: the breakers to report (default: the
    process's own, :data:`~tradebot.ops.resilience.SERVICE_BOARD`); ``channels``: the
    notification channels' breakers (shown, never a reason)."""
    board = SERVICE_BOARD if board is None else board
    reasons: list[str] = []
    store = _store_answers(db, reasons)
    services = {name: state.value for name, state in board.states().items()}
    services.update({f"notify:{name}": state.value for name, state in (channels or {}).items()})
    status = host.status()
    if status.state == "idle":
        return Readiness(store, reasons=tuple(reasons), services=services)
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
    reasons.extend(mask_url(found.line()) for found in board.open_services())
    return Readiness(
        store,
        loop=loop,
        reconciled=status.reconciled,
        feed=status.feed_fresh,
        reasons=tuple(reasons),
        services=services,
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
