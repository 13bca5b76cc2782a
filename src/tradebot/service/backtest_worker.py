"""The process a background backtest runs in (started with ``spawn``, so it shares nothing
with the API's process but what it is handed: the settings and the request).

It builds and runs the kernel exactly as ``tradebot backtest`` does
(:func:`~tradebot.runtime.wiring.open_store`, :func:`~tradebot.runtime.wiring.build_kernel`,
``kernel.run``) and reports on its end of a pipe, one tuple per step:

- ``("run", run_id, total_bars | None)`` once the kernel exists;
- ``("progress", bars_done)`` now and then;
- ``("done", status)`` at the end, or ``("failed", one_line)``.

SIGTERM (a cancel, or the server closing) asks the kernel to stop at the next bar time, so
the run is recorded ``stopped`` rather than left ``running``.
"""

from __future__ import annotations

import signal
from collections.abc import Sized
from multiprocessing.connection import Connection
from types import FrameType

from tradebot.config import Settings
from tradebot.ops.logging import configure_logging
from tradebot.runtime.wiring import RunRequest, build_kernel, open_store
from tradebot.service.one_line import one_line

__all__ = ["PROGRESS_STEPS", "run_job"]

PROGRESS_STEPS = 100
"""About how many progress reports a run sends."""


def run_job(settings: Settings, request: RunRequest, conn: Connection) -> None:
    """The child's entry point (see the module docstring)."""
    configure_logging(settings.log.level, settings.log.json_output)
    try:
        status = _run(settings, request, conn)
    except BaseException as exc:  # the parent shows the line; the run row says failed
        _send(conn, ("failed", one_line(exc)))
    else:
        _send(conn, ("done", status))
    finally:
        conn.close()


def _run(settings: Settings, request: RunRequest, conn: Connection) -> str:
    store = open_store(settings, request.mode)
    try:
        kernel = build_kernel(settings, request, store)
        total = len(kernel.feed) if isinstance(kernel.feed, Sized) else None
        _send(conn, ("run", kernel.run_info.id, total))

        def stop(signum: int, frame: FrameType | None) -> None:
            kernel.stop()

        signal.signal(signal.SIGTERM, stop)
        every = max(1, (total or 0) // PROGRESS_STEPS)
        result = kernel.run(progress=lambda done: _send(conn, ("progress", done)), every=every)
        return result.status
    finally:
        store.close()


def _send(conn: Connection, message: tuple[object, ...]) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, EOFError, OSError):  # the parent went away: run on, quietly
        return
