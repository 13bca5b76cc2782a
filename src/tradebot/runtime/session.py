"""Opening a session on live data: checks, the run, restore, reconcile; then run it.

Cold start and crash restart are one path (:mod:`tradebot.runtime.live`): a new session
restores nothing and reconciles an empty book with the venue (an account holding what we
did not make meets the ``live.external`` policy); ``--resume RUN_ID`` restores the run's
recorded fills and open orders, then reconciles. ``live`` refuses to start on a book that
does not reconcile; ``paper`` starts halted on it and says so. While the session runs the
book is reconciled again every ``live.reconcile_interval_s`` seconds, on the kernel's
thread (a timer), and a difference halts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tradebot.adapters.parquet.recorder import BarRecorder
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.domain.enums import Mode
from tradebot.domain.errors import BrokerError, ConfigError
from tradebot.domain.messages import Fill
from tradebot.domain.timer import TimerEvent
from tradebot.engine.kernel import Kernel
from tradebot.engine.live_restore import restore_live_book
from tradebot.engine.reconcile import Reconciliation
from tradebot.engine.reconciler import Reconciler
from tradebot.engine.topics import FILLS, MARKET_BARS, RECONCILIATIONS
from tradebot.ops.logging import get_logger
from tradebot.ports import ReconcilingBroker
from tradebot.runtime.live import LiveRequest, build_live_kernel
from tradebot.runtime.metrics import observe_reconciliation
from tradebot.runtime.venues import Venue, open_venue
from tradebot.runtime.wiring import open_store

__all__ = ["RECONCILE_TOPIC", "LiveSession", "open_session"]

RECONCILE_TOPIC = "live.reconcile"


@dataclass(slots=True)
class LiveSession:
    """A kernel ready to run on a venue, its book reconciled (or halted on it)."""

    kernel: Kernel
    store: SqlStore
    venue: Venue
    first: Reconciliation | None
    """The start-up reconciliation (None: a simulated venue, which has no book of its own)."""
    recorder: BarRecorder | None = None
    """Keeps the bars the session acts on (for ``tradebot drift``)."""

    def close(self) -> None:
        """Write the recorded bars, release the venue's clients and the store (the run's
        lease)."""
        try:
            if self.recorder is not None:
                self.recorder.flush()
        finally:
            try:
                self.venue.close()
            finally:
                self.store.close()


def open_session(
    settings: Settings,
    request: LiveRequest,
    *,
    resume: str | None = None,
    confirm_live: bool = False,
    venue: Venue | None = None,
) -> LiveSession:
    """Check, build, restore and reconcile (module docstring); ``venue`` replaces the one
    the settings name (a test's, a rehearsal's)."""
    if request.mode is Mode.LIVE and not confirm_live:
        raise ConfigError(
            "live trading sends real orders with real money: it needs --confirm-live",
            "add --confirm-live, or rehearse with `tradebot paper --broker "
            f"{request.broker}` first",
        )
    store = open_store(settings, request.mode)
    if not isinstance(store, SqlStore):
        raise ConfigError("a live session needs a database", "set store.url")
    opened: Venue | None = None
    try:
        run = None
        if resume is not None:
            record = store.run(resume) if store.claim_run(resume) else None
            if record is None:
                raise ConfigError(
                    f"no run {resume!r} in the database",
                    "list them: `tradebot backtest list --mode live`",
                )
            if record.info.mode is not request.mode:
                raise ConfigError(
                    f"run {resume} is a {record.info.mode} run, not {request.mode}",
                    f"resume it with `tradebot {record.info.mode}`",
                )
            run = record.info
            request = LiveRequest(
                mode=request.mode,
                broker=request.broker,
                symbols=run.symbols,
                strategies=tuple(run.strategy.split(",")),
                timeframe=run.timeframe,
            )
        opened = venue if venue is not None else open_venue(settings, request)
        kernel = build_live_kernel(settings, request, store, opened, run=run)
        first = _reconcile_at_start(settings, kernel, store, opened, resumed=run is not None)
        recorder = _recording(kernel)
        return LiveSession(kernel, store, opened, first, recorder)
    except BaseException:
        if opened is not None and venue is None:
            opened.close()
        store.close()
        raise


def _recording(kernel: Kernel) -> BarRecorder | None:
    """Every bar the session acts on, kept where its run says (``config['data_dir']``)."""
    where = kernel.run_info.config.get("data_dir")
    if not where:
        return None
    recorder = BarRecorder(Path(where))
    kernel.spec.bus.subscribe(MARKET_BARS, recorder.add, stage="recorder")
    return recorder


def _restore_risk(kernel: Kernel, store: SqlStore, run_id: str) -> None:
    """The risk engine's state as the run last saved it (a live session saves it at every
    bar time's close), then the fills recorded after that save, so its stops, tiers and
    breakers go on from where the crashed process left them."""
    risk = kernel.risk
    checkpoint = store.load_risk_state(run_id)
    if risk is None or checkpoint is None:
        return
    risk.restore(checkpoint.as_of, checkpoint.state)
    for fill in store.fills(run_id):
        if fill.ts > checkpoint.as_of:
            risk.on_fill(fill)


def _reconcile_at_start(
    settings: Settings, kernel: Kernel, store: SqlStore, venue: Venue, *, resumed: bool
) -> Reconciliation | None:
    """Restore the run's book (a resume), reconcile it with the venue before the first
    order, and schedule the next reconciliation."""
    broker = venue.broker
    run_id = kernel.run_info.id
    store.start_run(kernel.run_info)
    last_fill_at = None
    if resumed:
        restored = restore_live_book(store, run_id, kernel.orders, kernel.portfolio)
        last_fill_at = restored.last_fill_at
        _restore_risk(kernel, store, run_id)
    if not isinstance(broker, ReconcilingBroker):
        return None
    reconciler = Reconciler(
        run_id,
        broker,
        kernel.orders,
        kernel.portfolio,
        store,
        kernel.gate,
        kernel.clock,
        policy=settings.live.external,
    )
    bus = kernel.spec.bus
    outcome = reconciler.run(last_fill_at)
    observe_reconciliation(len(outcome.differences), len(outcome.unexplained))
    bus.publish(RECONCILIATIONS, outcome)
    log = get_logger("live")
    if not outcome.ok:
        why = outcome.halt_reason().removeprefix("reconciliation: ")
        if kernel.run_info.mode is Mode.LIVE:
            store.finish_run(run_id, "halted", kernel.clock.now(), {})
            raise BrokerError(
                f"the book does not reconcile with the venue: {why}",
                "settle it at the venue (or set live.external: adopt), then start again; "
                f"`tradebot reconcile {run_id}` shows the differences",
            )
        log.warning("session starts halted: the book does not reconcile", why=why)
    every = timedelta(seconds=settings.live.reconcile_interval_s)
    clock = kernel.clock
    last = [last_fill_at]

    def filled(fill: Fill) -> None:
        if last[0] is None or fill.ts > last[0]:
            last[0] = fill.ts

    def again(_: object) -> None:
        done = reconciler.run(last[0])
        observe_reconciliation(len(done.differences), len(done.unexplained))
        bus.publish(RECONCILIATIONS, done)
        clock.schedule(TimerEvent(clock.now() + every, RECONCILE_TOPIC, RECONCILE_TOPIC))

    bus.subscribe(FILLS, filled, stage="reconciler")
    bus.subscribe(RECONCILE_TOPIC, again, stage="reconciler")
    clock.schedule(TimerEvent(clock.now() + every, RECONCILE_TOPIC, RECONCILE_TOPIC))
    return outcome
