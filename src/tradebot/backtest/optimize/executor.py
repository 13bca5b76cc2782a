"""Where evaluations run: in this process, in local worker processes, or on a Dask cluster.

Every backend gets the same top-level :func:`~.evaluate.evaluate` and a list of plain task
dicts, and :meth:`Executor.map` returns the results **in task order**, whatever order they
finish in. That, and evaluations that depend only on their task, is why a study gives the
same table with ``--jobs 1``, ``--jobs 8`` or a cluster.

Local workers start with the ``forkserver`` method: forking the CLI process directly would
copy the progress bar's thread and its locks into every child.
"""

from __future__ import annotations

import importlib
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from types import TracebackType
from typing import Any

from tradebot.backtest.optimize.evaluate import evaluate
from tradebot.domain.errors import ConfigError

__all__ = ["Executor", "Task", "TaskFn"]

Task = dict[str, Any]
_PRELOAD = (
    "tradebot.backtest.optimize.evaluate",
    "tradebot.runtime.wiring",
    "tradebot.testing",
    "tradebot.backtest.metrics",
)
TaskFn = Callable[[Task], dict[str, Any]]


class Executor:
    """Runs tasks with ``jobs`` local processes (1 = in-process) or on ``cluster``."""

    def __init__(
        self,
        jobs: int = 1,
        cluster: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        fn: TaskFn = evaluate,
    ) -> None:
        if jobs < 1:
            raise ConfigError(f"--jobs {jobs} must be at least 1", "pass --jobs 4")
        self.jobs = jobs
        self.cluster = cluster
        self.done = 0
        self.total = 0  # evaluations planned; the caller sets it once known
        self._progress = progress
        self._fn = fn
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    def __enter__(self) -> Executor:
        if self.cluster is not None:
            self._client = _dask_client(self.cluster)
        elif self.jobs > 1:
            context = multiprocessing.get_context("forkserver")
            # The fork server imports the kernel once; each worker forks from it ready to run
            # (without this every worker pays about a second and a half of imports).
            context.set_forkserver_preload(list(_PRELOAD))
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def tick(self) -> None:
        """Count one evaluation as done (the caller ticks for points it skipped)."""
        self.done += 1
        if self._progress is not None:
            self._progress(self.done, max(self.total, self.done))

    def map(self, tasks: Sequence[Task]) -> list[dict[str, Any]]:
        """Results of ``tasks``, in the same order."""
        if not tasks:
            return []
        if self._client is not None:
            return self._map_dask(tasks)
        if self._pool is not None:
            return self._map_pool(self._pool, tasks)
        out = []
        for task in tasks:
            out.append(self._fn(task))
            self.tick()
        return out

    def _map_pool(self, pool: ProcessPoolExecutor, tasks: Sequence[Task]) -> list[dict[str, Any]]:
        futures: dict[Future[dict[str, Any]], int] = {
            pool.submit(self._fn, task): i for i, task in enumerate(tasks)
        }
        results: list[dict[str, Any] | None] = [None] * len(tasks)
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            self.tick()
        return [r for r in results if r is not None]

    def _map_dask(self, tasks: Sequence[Task]) -> list[dict[str, Any]]:
        dask_completed = importlib.import_module("distributed").as_completed

        futures = self._client.map(self._fn, list(tasks), pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[dict[str, Any] | None] = [None] * len(tasks)
        for future in dask_completed(futures):
            results[index[future.key]] = future.result()
            self.tick()
        return [r for r in results if r is not None]


def _dask_client(address: str) -> Any:
    """A ``distributed.Client`` for ``address``; a missing extra or a dead scheduler is one line."""
    try:
        client_class = importlib.import_module("distributed").Client
    except ImportError as exc:
        raise ConfigError(
            "--cluster needs Dask, which is not installed",
            "pip install 'tradebot[research]'",
        ) from exc
    try:
        return client_class(address, timeout="10s")
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address}: {exc}",
            "start one with `dask scheduler` and workers with `dask worker ADDRESS`",
        ) from exc
