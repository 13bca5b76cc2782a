""":class:`EngineHost`: the engine ``tradebot serve`` runs in a thread of its own process.

``start()`` returns at once; a background thread opens what ``api.engine`` asks for
(:mod:`tradebot.service.engine_runs`: a paper replay, a paper session on live data, or
nothing — a live session starts only through :meth:`EngineHost.go_live`), wires an
:class:`~tradebot.service.engine_bridge.EngineBridge` onto the kernel's bus, takes
operator commands from the database as ``tradebot paper`` does (a
:class:`~tradebot.runtime.commands.CommandFeed` on a store of its own, woken directly by
:meth:`wake_commands` instead of a signal) and runs the kernel until it ends or
:meth:`stop` asks it to.

Thread safety: the kernel is touched only on its thread (the bridge takes its view there);
the host keeps the latest view and its own fields under a lock, so :meth:`status` may be
called from any thread. A failure in the engine thread is logged in one line and shown as
state ``failed`` with the reason; it never reaches the API's threads. State changes are
announced on the hub under a lock of their own, so the ``status`` messages come in the
order the states were taken (a request thread's ``starting`` never lands after the engine
thread's ``running``).

``SIGUSR1``: ``tradebot kill`` in another shell wakes a run's process with it. The host
takes the signal in :meth:`start` (on the main thread, whatever ``api.engine`` says) and
keeps it until :meth:`stop`, so the signal never ends the server — with ``api.engine:
live`` the session is started later from a request thread, which may not set a handler.
A wake with no hosted run does nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import FrameType
from typing import Final

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.enums import Mode
from tradebot.domain.errors import TradebotError
from tradebot.ops.logging import get_logger
from tradebot.runtime.commands import WAKE_SIGNAL, CommandFeed, feeding_commands
from tradebot.runtime.live import BrokerName
from tradebot.service.engine_bridge import BeatingClock, EngineBridge
from tradebot.service.engine_runs import HostedRun, hosted_symbols, open_live, open_replay
from tradebot.service.engine_status import EngineState, EngineStatus, KernelView
from tradebot.service.events import EventHub
from tradebot.service.hosted_resume import continuing, unfinished_hosted_run
from tradebot.service.one_line import one_line

__all__ = ["LOOP_STALE_S", "EngineHost"]

LOOP_STALE_S: Final = 30.0
"""A loop that has not turned for this long is not alive (a replay turns at least every
5 s, a live loop every 0.25 s)."""
_JOIN_S = 60.0
_log = get_logger("engine-host")


@dataclass(slots=True)
class _Fields:
    """What the host knows besides the kernel's view (guarded by the host's lock)."""

    state: EngineState
    engine: str
    reason: str | None = None
    mode: str | None = None
    broker: str | None = None
    run_id: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    reconciled: bool | None = None


class EngineHost:
    """Runs the configured engine in a background thread (module docstring)."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        events: EventHub,
        *,
        stop_timeout_s: float = _JOIN_S,
    ) -> None:
        """``stop_timeout_s``: how long :meth:`stop` and :meth:`go_live` wait for the
        engine thread to end."""
        self._settings = settings
        self._events = events
        self._stop_timeout_s = stop_timeout_s
        self._lock = threading.Lock()
        self._announce_lock = threading.Lock()
        self._fields = _Fields("idle", "none")
        self._view: KernelView | None = None
        self._bridge: EngineBridge | None = None
        self._feed: CommandFeed | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._stop_kernel: Callable[[], None] | None = None
        self._beat = 0.0
        self._signal_set = False
        self._previous_handler: Callable[[int, FrameType | None], object] | int | None = None

    # --- control ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start what ``api.engine`` asks for, in the background; a no-op while an engine
        runs, and for ``none`` and ``live`` (live starts only through :meth:`go_live`).
        Call it on the main thread: it takes ``SIGUSR1`` (module docstring)."""
        self._take_wake_signal()
        self._start(self._settings())

    def start_on_request(self, actor: str) -> EngineStatus:
        """:meth:`start` for an operator (``POST /api/controls/start``): refused in one line
        when ``api.engine`` is ``none`` or ``live`` (live starts only through
        :meth:`go_live`, behind a fresh passkey) and while an engine runs. Answers at once;
        the status says when it runs."""
        settings = self._settings()
        engine = settings.api.engine
        if engine not in ("replay", "paper"):
            hint = (
                "live sessions start through POST /api/controls/go-live"
                if engine == "live"
                else "set api.engine to replay or paper and restart `tradebot serve`"
            )
            raise CommandRefusedError(
                f"this server runs api.engine {engine}: nothing to start", hint
            )
        self._take_wake_signal()
        if self._running() or not self._start(settings):  # the second: a start just before
            current = self.status()
            raise CommandRefusedError(
                f"the engine is {current.state} already ({current.run_id or engine})",
                "one engine at a time: it runs until its replay ends or the server stops "
                "(POST /api/controls/pause or kill halt its trading)",
            )
        _log.info("engine started on request", actor=actor, engine=engine)
        return self.status()

    def _start(self, settings: Settings) -> bool:
        """Launch ``api.engine`` unless it is ``none`` or ``live``; whether a new engine
        thread started (False too while one runs)."""
        engine = settings.api.engine
        if engine == "none":
            self._set(state="idle", engine=engine, reason="api.engine is none: no engine runs")
            return False
        if engine == "live":
            self._set(
                state="idle",
                engine=engine,
                reason="live trading starts only through POST /api/controls/go-live",
            )
            return False
        if engine == "replay":
            resume = self._unfinished(settings, None, settings.api.symbols)
            return self._launch(
                engine,
                lambda: continuing(lambda run: open_replay(settings, resume=run), resume),
            )
        broker = settings.api.broker
        resume = self._unfinished(settings, broker, hosted_symbols(settings, broker))
        return self._launch(
            engine,
            lambda: continuing(
                lambda run: open_live(settings, Mode.PAPER, broker, resume=run), resume
            ),
        )

    @staticmethod
    def _unfinished(settings: Settings, broker: str | None, symbols: Sequence[str]) -> str | None:
        """The run a restarted server continues (:mod:`.hosted_resume`), unless
        ``api.resume`` is off."""
        if not settings.api.resume:
            return None
        found = unfinished_hosted_run(settings.store.url, broker, symbols)
        if found is not None:
            _log.info("continuing the hosted run a previous server left", run_id=found)
        return found

    def go_live(self, broker: BrokerName, *, resume: str | None = None) -> EngineStatus:
        """Stop whatever runs and start a live session on ``broker`` (real money). Refused
        unless the server was configured for it (``api.engine: live``), and when the
        running engine does not stop within the host's stop timeout (the live session
        would not start: answering with the old run's status would say it had)."""
        settings = self._settings()
        if settings.api.engine != "live":
            raise CommandRefusedError(
                f"this server runs api.engine {settings.api.engine}: live trading is off",
                "set api.engine: live in the configuration and restart `tradebot serve`",
            )
        if broker == "sim":
            raise CommandRefusedError("live trading needs a real venue, not sim", "")
        current = self.status()
        if current.mode == Mode.LIVE.value and current.state in _ACTIVE:
            raise CommandRefusedError(
                f"a live session runs already ({current.run_id})", "stop it before another"
            )
        stopped = self._halt(self._stop_timeout_s)
        if not stopped or not self._launch(
            "live", lambda: open_live(settings, Mode.LIVE, broker, resume=resume)
        ):
            raise CommandRefusedError(
                f"the running engine did not stop within {self._stop_timeout_s:g} s",
                "try again once GET /api/status no longer shows it running",
            )
        return self.status()

    def stop(self, timeout_s: float | None = None) -> bool:
        """Stop the kernel cleanly (at the next bar-time boundary), wait for its thread
        (``timeout_s``, default the host's) and give ``SIGUSR1`` back; False when the
        thread is still running."""
        try:
            return self._halt(self._stop_timeout_s if timeout_s is None else timeout_s)
        finally:
            self._give_back_wake_signal()

    def _halt(self, timeout_s: float) -> bool:
        """Stop the engine thread; whether it ended within ``timeout_s``. ``_stop`` is set
        before the kernel's stop is read: an engine thread that has not published its
        kernel yet sees ``_stop`` once it has (:meth:`_run`), one that has is stopped
        here — either way the stop is not lost."""
        self._stop.set()
        with self._lock:
            thread = self._thread
            stop_kernel = self._stop_kernel
        if thread is None:
            return True
        if stop_kernel is not None:
            stop_kernel()
        thread.join(timeout_s)
        if thread.is_alive():
            _log.error("the engine thread did not stop in time", timeout_s=timeout_s)
            return False
        with self._lock:
            if self._thread is thread:
                self._thread = None
        return True

    # --- queries ---------------------------------------------------------------------------
    def _running(self) -> bool:
        with self._lock:
            return self._thread is not None and self._thread.is_alive()

    def current_run_id(self) -> str | None:
        """The run the hosted kernel drives, while its thread runs (None otherwise)."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            return self._fields.run_id if running else None

    def wake_commands(self, run_id: str) -> bool:
        """Have the hosted run read its pending commands now; False when ``run_id`` is not
        the hosted run (its process must be woken another way)."""
        with self._lock:
            feed = self._feed
            ours = feed is not None and self._fields.run_id == run_id
        if ours:
            assert feed is not None
            feed.wake()
        return ours

    def status(self) -> EngineStatus:
        """The engine now (any thread)."""
        now, mono = utc_now(), monotonic()
        with self._lock:
            fields = replace(self._fields)
            view = self._view
            bridge = self._bridge
            beat = self._beat
            alive = self._thread is not None and self._thread.is_alive()
        state = fields.state
        if state == "running" and view is not None:
            if view.halted is not None and not view.reconcile_halt:
                state = "killed"
            elif view.paused is not None:
                state = "paused"
        loop_alive = alive and beat > 0 and mono - beat <= LOOP_STALE_S
        live = fields.mode is not None and fields.broker not in (None, "replay")
        return EngineStatus(
            state=state,
            engine=fields.engine,
            reason=fields.reason,
            mode=fields.mode,
            broker=fields.broker,
            run_id=fields.run_id,
            started_at=fields.started_at,
            finished_at=fields.finished_at,
            last_event_at=_ago(now, mono, bridge.last_event if bridge else 0.0),
            heartbeat_at=_ago(now, mono, beat),
            loop_alive=loop_alive,
            last_decision_at=None if bridge is None else bridge.last_decision_at,
            last_bar_at=None if bridge is None else bridge.last_bar_at,
            feed_fresh=_feed_fresh(view) if live else None,
            reconciled=_reconciled(fields.reconciled, view),
            view=view,
        )

    # --- the engine thread -----------------------------------------------------------------
    def _launch(self, engine: str, opener: Callable[[], HostedRun]) -> bool:
        """Start the engine thread; False (nothing started) while one runs."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            self._stop.clear()
            self._stop_kernel = None
            self._view = None
            self._bridge = None
            self._feed = None
            self._fields = _Fields("starting", engine, started_at=utc_now())
            self._thread = threading.Thread(
                target=self._main, args=(opener,), name=f"engine-{engine}", daemon=True
            )
            self._thread.start()
        self._announce()
        return True

    def _main(self, opener: Callable[[], HostedRun]) -> None:
        try:
            hosted = opener()
        except BaseException as exc:  # the API stays up; the status says why
            self._failed(exc)
            return
        try:
            self._run(hosted)
        except BaseException as exc:
            self._failed(exc)
        finally:
            try:
                hosted.close()
            except TradebotError as exc:
                _log.warning("closing the engine's run failed", error=exc.one_line())
            with self._lock:
                self._feed = None
                self._stop_kernel = None

    def _run(self, hosted: HostedRun) -> None:
        kernel = hosted.kernel
        # kernel.run() below runs on this thread: only its clock reads are heartbeats (the
        # command feed's thread reads the clock too, and must not make a stuck loop alive).
        kernel.clock = BeatingClock(kernel.clock, self._heartbeat, thread=threading.get_ident())
        bridge = EngineBridge(
            kernel, self._events, self._keep_view, extra_topics=hosted.extra_topics
        )
        url = self._settings().store.url
        with self._lock:  # published before _stop is read: see _halt
            self._bridge = bridge
            self._stop_kernel = kernel.stop
            self._fields.mode = hosted.mode.value
            self._fields.broker = hosted.broker
            self._fields.run_id = kernel.run_info.id
            self._fields.reconciled = hosted.reconciled
        bridge.attach()
        if self._stop.is_set():
            self._set(state="stopped", reason="stopped before it started")
            return
        with feeding_commands(kernel, lambda: SqlStore(url), wake_signal=None) as feed:
            with self._lock:
                self._feed = feed
            self._set(state="running", reason=None)
            _log.info("engine running", run_id=kernel.run_info.id, mode=hosted.mode.value)
            result = kernel.run()
        self._set(
            state="stopped",
            reason=f"the run ended {result.status}",
            finished_at=utc_now(),
        )
        _log.info("engine stopped", run_id=result.run_id, status=result.status)

    def _failed(self, exc: BaseException) -> None:
        reason = one_line(exc)
        _log.error("engine failed", error=reason)
        self._set(state="failed", reason=reason, finished_at=utc_now())

    def _take_wake_signal(self) -> None:
        """``tradebot kill`` in another shell wakes the run's process with ``SIGUSR1``; in
        this process it must wake the hosted run's feed (if any), not end the process (the
        signal's default). Only the main thread may set a handler: elsewhere (a test's
        portal thread) the feed still polls every second."""
        if self._signal_set or threading.current_thread() is not threading.main_thread():
            return

        def wake(signum: int, frame: FrameType | None) -> None:
            feed = self._feed  # a read only: nothing else is safe in a handler
            if feed is not None:
                feed.wake()

        self._previous_handler = signal.signal(WAKE_SIGNAL, wake)
        self._signal_set = True

    def _give_back_wake_signal(self) -> None:
        """The handler before ours; ignored rather than the default action, so a late
        ``tradebot kill`` cannot end the server (as the CLI's runs do)."""
        if not self._signal_set or threading.current_thread() is not threading.main_thread():
            return
        previous = self._previous_handler
        signal.signal(WAKE_SIGNAL, previous if callable(previous) else signal.SIG_IGN)
        self._signal_set = False

    def _keep_view(self, view: KernelView) -> None:
        with self._lock:
            self._view = view

    def _heartbeat(self) -> None:
        self._beat = monotonic()

    def _set(self, **changes: object) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self._fields, name, value)
        self._announce()

    def _announce(self) -> None:
        """Publish the status now; taken and published under one lock, so announcements
        from two threads reach the hub in the order their states were read."""
        with self._announce_lock:
            status = self.status()
            self._events.publish(
                "status",
                {
                    "event": "engine",
                    "state": status.state,
                    "engine": status.engine,
                    "reason": status.reason,
                    "mode": status.mode,
                    "run_id": status.run_id,
                },
                run_id=status.run_id,
            )


_ACTIVE: Final = ("starting", "running", "paused", "killed")


def _ago(now: datetime, mono: float, then: float) -> datetime | None:
    """The wall time of monotonic time ``then`` (None for 0: never)."""
    return None if then <= 0 else now - timedelta(seconds=max(0.0, mono - then))


def _feed_fresh(view: KernelView | None) -> bool:
    return view is not None and view.feed_reported and not view.feed_down


def _reconciled(first: bool | None, view: KernelView | None) -> bool | None:
    if first is None:
        return None
    return first and (view is None or not view.reconcile_halt)
