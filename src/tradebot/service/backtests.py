""":class:`BacktestJobs`: backtests started over the API, run in processes of their own.

A job is checked and prepared at once (:func:`~tradebot.service.backtest_spec.prepare`:
a bad symbol or an empty range is one line before anything is queued), then queued; at
most ``api.backtest_workers`` run at a time, each in a ``spawn``-ed process
(:mod:`tradebot.service.backtest_worker`) so a backtest never takes the API's CPU or its
GIL. A monitor thread per job reads the worker's pipe (its run id, progress, the end) and
publishes each step on the :class:`~tradebot.service.events.EventHub` as a ``backtest``
message. The run itself is written to the database by the worker, exactly as ``tradebot
backtest`` writes it, and read back from there with the read side's readers
(:mod:`.backtest_results` over :mod:`.queries`): the API shows a CLI backtest the same way,
and a backtest's run and trades as ``/api/runs`` and ``/api/trades`` do. :meth:`cancel`
and :meth:`close` ask the worker to stop (SIGTERM: the run ends ``stopped``), then kill it
if it does not.

Jobs live in memory (the newest :data:`KEPT_JOBS`); their runs, in the database, outlive
the server.

Races: a job's process is published (``job.process``) before it is started, so a cancel or
a close in between sees a process that is not alive yet and cannot stop it; the pump
therefore looks at ``cancelled`` and ``closed`` again, under the lock, once the process
runs, and stops it itself. A monitor is listed only once started, so :meth:`close` never
joins a thread that never ran.
"""

from __future__ import annotations

import multiprocessing
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any, Final, Literal

from sqlalchemy import Engine

from tradebot.adapters.clock import utc_now
from tradebot.config import Settings
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import get_logger
from tradebot.service.backtest_results import BacktestResults
from tradebot.service.backtest_spec import BacktestSpec, PreparedJob, prepare
from tradebot.service.backtest_worker import run_job
from tradebot.service.database import open_database
from tradebot.service.events import EventHub
from tradebot.service.one_line import one_line
from tradebot.service.queries.base import Reader
from tradebot.service.queries.runs import RunDetail, RunSummary

__all__ = ["KEPT_JOBS", "MAX_QUEUED", "BacktestJobs", "BacktestView", "JobStatus", "Progress"]

JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
KEPT_JOBS: Final = 500
MAX_QUEUED: Final = 100
"""Jobs waiting for a worker at most; more is refused (one line)."""
_STOP_S: Final = 15.0
_DB_STATUS: dict[str, JobStatus] = {
    "running": "running",
    "completed": "completed",
    "failed": "failed",
    "stopped": "cancelled",
}
_log = get_logger("backtests")


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None

    @property
    def percent(self) -> float | None:
        if not self.total:
            return None
        return round(min(100.0, 100.0 * self.done / self.total), 1)


@dataclass(frozen=True, slots=True)
class BacktestView:
    """A backtest as the API shows it: a job of this server, a run in the database, or both."""

    id: str
    """The backtest's run id: chosen when the job is queued (the run takes it when it
    starts), or the run's own for a run this server did not start."""
    run_id: str | None
    status: JobStatus
    error: str | None
    progress: Progress | None
    submitted_at: datetime | None
    symbols: tuple[str, ...]
    strategies: tuple[str, ...]
    run: RunSummary | None = None
    """The run once recorded: a :class:`RunDetail` when the backtest is read on its own, its
    summary in a list."""

    @property
    def metrics(self) -> dict[str, Any] | None:
        """Every metric the run recorded (None before it finished, or in a list)."""
        return (self.run.metrics or None) if isinstance(self.run, RunDetail) else None


@dataclass(slots=True)
class _Job:
    id: str
    prepared: PreparedJob
    submitted_at: datetime
    status: JobStatus = "queued"
    run_id: str | None = None
    error: str | None = None
    done: int = 0
    total: int | None = None
    process: BaseProcess | None = None
    cancelled: bool = False

    def view(self, run: RunSummary | None = None) -> BacktestView:
        request = self.prepared.request
        return BacktestView(
            id=self.id,
            run_id=self.run_id,
            status=self.status,
            error=self.error,
            progress=Progress(self.done, self.total),
            submitted_at=self.submitted_at,
            symbols=request.symbols,
            strategies=request.strategies,
            run=run,
        )


class BacktestJobs:
    """Background backtests (module docstring)."""

    def __init__(
        self,
        settings: Callable[[], Settings],
        events: EventHub,
        *,
        db: Engine | None = None,
        context: SpawnContext | None = None,
    ) -> None:
        """``db``: the service layer's pool for reading the runs (None: one of its own on
        ``store.url``, opened when first needed). ``context``: where worker processes come
        from (default ``spawn``; a test hands in one whose start it can hold)."""
        self._settings = settings
        self._events = events
        self._db = db
        self._own_db: Engine | None = None
        self._results: BacktestResults | None = None
        self._context = context if context is not None else multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._by_run: dict[str, str] = {}
        self._queue: list[str] = []
        self._monitors: list[threading.Thread] = []
        self._closed = False

    # --- commands --------------------------------------------------------------------------
    def submit(self, spec: BacktestSpec) -> BacktestView:
        """Check ``spec``, queue it, start it when a worker is free; the job as queued."""
        if self._closed:
            raise ConfigError("the server is shutting down", "start the backtest again later")
        prepared = prepare(self._settings(), spec)
        submitted = utc_now()
        # The job's id is the id its run will have in the database, so the caller holds
        # the run id from the start (``run_id`` below is set once the run is recorded).
        run_id = f"bt-{submitted:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        prepared = replace(prepared, request=replace(prepared.request, run_id=run_id))
        job = _Job(run_id, prepared, submitted)
        with self._lock:
            if len(self._queue) >= MAX_QUEUED:
                raise ConfigError(
                    f"{MAX_QUEUED} backtests are waiting already",
                    "wait for some to end, or cancel some",
                )
            self._jobs[job.id] = job
            self._queue.append(job.id)
            self._forget_old()
        self._publish(job)
        self._pump()
        return self._view(job)

    def cancel(self, job_id: str) -> BacktestView | None:
        """Stop a job (queued: dropped; running: asked to stop); None for an unknown id."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            job.cancelled = True
            if job.id in self._queue:
                self._queue.remove(job.id)
                job.status = "cancelled"
            process = job.process
        if process is not None and process.is_alive():
            process.terminate()
        self._publish(job)
        return self._view(job)

    def close(self) -> None:
        """Drop the queue, stop every running worker and wait for its monitor."""
        with self._lock:
            self._closed = True
            for job_id in self._queue:
                self._jobs[job_id].status = "cancelled"
            self._queue.clear()
            running = [j.process for j in self._jobs.values() if j.process is not None]
            monitors = list(self._monitors)
        for process in running:
            if process.is_alive():
                process.terminate()
        joined: set[threading.Thread] = set()
        while monitors:  # each one started (see _pump); then any the pump started since
            for monitor in monitors:
                monitor.join(_STOP_S + 5)
                joined.add(monitor)
            with self._lock:
                monitors = [m for m in self._monitors if m not in joined]
        if self._own_db is not None:
            self._own_db.dispose()

    # --- reads -----------------------------------------------------------------------------
    def get(self, backtest_id: str) -> BacktestView | None:
        """A job by its id, or a backtest run by its run id."""
        with self._lock:
            job = self._jobs.get(backtest_id) or self._jobs.get(self._by_run.get(backtest_id, ""))
        if job is not None:
            return self._view(job)
        run = self.results().run(backtest_id)
        if run is None or run.mode != "backtest":
            return None
        return _run_view(run)

    def page(self, limit: int, offset: int) -> tuple[list[BacktestView], int]:
        """Jobs not in the database yet (newest first), then the backtest runs, newest first."""
        with self._lock:
            pending = sorted(
                (j for j in self._jobs.values() if j.run_id is None),
                key=lambda j: j.submitted_at,
                reverse=True,
            )
            pending_views = [j.view() for j in pending]
        shown = pending_views[offset : offset + limit]
        db_offset = max(0, offset - len(pending_views))
        runs = self.results().backtests(max(1, limit - len(shown)), db_offset)
        if len(shown) < limit:
            shown += [self._run_or_job(run) for run in runs.items][: limit - len(shown)]
        return shown, runs.total + len(pending_views)

    def results(self) -> BacktestResults:
        """The runs' reads, on the service layer's pool (one :class:`Reader` for all)."""
        if self._results is None:
            engine = self._engine(self._settings().store.url)
            with self._lock:
                if self._results is None:
                    self._results = BacktestResults(Reader(engine))
        return self._results

    # --- the queue and the workers -------------------------------------------------------
    def _pump(self) -> None:
        """Start queued jobs while workers are free."""
        limit = self._settings().api.backtest_workers
        while True:
            with self._lock:
                busy = sum(1 for j in self._jobs.values() if j.status == "running")
                if self._closed or busy >= limit or not self._queue:
                    return
                job = self._jobs[self._queue.pop(0)]
                job.status = "running"
                receiver, sender = self._context.Pipe(duplex=False)
                process = self._context.Process(
                    target=run_job,
                    args=(job.prepared.settings, job.prepared.request, sender),
                    name=f"backtest-{job.id}",
                    daemon=True,
                )
                job.process = process
            try:
                process.start()
            except Exception as exc:  # no process could be made: the job fails, not the API
                receiver.close()
                with self._lock:
                    job.status, job.error = "failed", f"cannot start a worker: {one_line(exc)}"
                    job.process = None
                _log.error("cannot start a backtest worker", job=job.id, error=one_line(exc))
                self._publish(job)
                continue
            finally:
                sender.close()  # the child holds its end: EOF here once it exits
            monitor = threading.Thread(
                target=self._monitor,
                args=(job, receiver),
                name=f"monitor-{job.id}",
                daemon=True,
            )
            with self._lock:  # a cancel or close before start() could not stop it: stop it now
                stop_now = job.cancelled or self._closed
                monitor.start()
                self._monitors = [m for m in self._monitors if m.is_alive()] + [monitor]
            if stop_now:
                process.terminate()
            self._publish(job)

    def _monitor(self, job: _Job, conn: Connection) -> None:
        """Follow one worker until it ends, then start the next queued job."""
        process = job.process
        assert process is not None
        ended = False
        try:
            while True:
                try:
                    message: tuple[Any, ...] = conn.recv()
                except (EOFError, OSError):
                    break
                ended = self._apply(job, message) or ended
        finally:
            conn.close()
            process.join(_STOP_S)
            if process.is_alive():
                process.kill()
                process.join(5)
        if not ended:
            with self._lock:
                job.status = "cancelled" if job.cancelled else "failed"
                if job.status == "failed":
                    job.error = f"the backtest process ended with exit code {process.exitcode}"
            self._publish(job)
        _log.info("backtest ended", job=job.id, run_id=job.run_id, status=job.status)
        self._pump()

    def _apply(self, job: _Job, message: tuple[Any, ...]) -> bool:
        """One step from the worker; True for its last."""
        kind = message[0]
        with self._lock:
            if kind == "run":
                job.run_id, job.total = str(message[1]), message[2]
                self._by_run[job.run_id] = job.id
            elif kind == "progress":
                job.done = int(message[1])
            elif kind == "done":
                status = _DB_STATUS.get(str(message[1]), "failed")
                job.status = "cancelled" if job.cancelled and status != "completed" else status
                if job.total is not None and status == "completed":
                    job.done = job.total
            elif kind == "failed":
                job.status, job.error = "failed", str(message[1])
        self._publish(job)
        return kind in ("done", "failed")

    # --- helpers ---------------------------------------------------------------------------
    def _view(self, job: _Job) -> BacktestView:
        with self._lock:
            copy = replace(job)
        run = None if copy.run_id is None else self.results().run(copy.run_id)
        return copy.view(run)

    def _run_or_job(self, run: RunSummary) -> BacktestView:
        with self._lock:
            job = self._jobs.get(self._by_run.get(run.id, ""))
            copy = None if job is None else replace(job)
        return _run_view(run) if copy is None else copy.view(run)

    def _publish(self, job: _Job) -> None:
        with self._lock:
            progress = Progress(job.done, job.total)
            data = {
                "id": job.id,
                "run_id": job.run_id,
                "status": job.status,
                "error": job.error,
                "done": progress.done,
                "total": progress.total,
                "percent": progress.percent,
            }
        self._events.publish("backtest", data, run_id=job.run_id)

    def _forget_old(self) -> None:
        """(Under the lock.) Keep the newest :data:`KEPT_JOBS` jobs that have ended."""
        if len(self._jobs) <= KEPT_JOBS:
            return
        ended = [j for j in self._jobs.values() if j.status not in ("queued", "running")]
        for job in sorted(ended, key=lambda j: j.submitted_at)[: len(self._jobs) - KEPT_JOBS]:
            del self._jobs[job.id]
            if job.run_id is not None:
                self._by_run.pop(job.run_id, None)

    def _engine(self, url: str) -> Engine:
        if self._db is not None:
            return self._db
        with self._lock:
            if self._own_db is None:
                self._own_db = open_database(url)
            return self._own_db


def _run_view(run: RunSummary) -> BacktestView:
    return BacktestView(
        id=run.id,
        run_id=run.id,
        status=_DB_STATUS.get(run.status, "failed"),
        error=None,
        progress=None,
        submitted_at=None,
        symbols=tuple(run.symbols),
        strategies=tuple(run.strategies),
        run=run,
    )
