"""Feeding a running kernel the operator commands written for its run, with no server.

``tradebot kill|pause|resume|close|set-tier`` in another shell writes a pending row in the
run's database (:class:`~tradebot.ports.CommandLog`) and, when the run's process is on
this host, sends it ``SIGUSR1``. In that process a :class:`CommandFeed` thread reads the
run's pending commands — at once when woken by the signal, else every ``poll_s`` — marks
each taken and queues it into the kernel's event stream (``Kernel.post`` at the kernel's
current time with the command rank), which wakes a paced clock so the command is
dispatched at the next event, not after the replay's pause between bars.

Threads: the kernel's store belongs to the kernel's thread, so the feed reads and writes
through a store of its own (:func:`feeding_commands` opens one on the same URL). The
signal handler only sets an event (nothing else is safe in a handler); the thread does
the reading. A command for a time before the run's trading period is queued at the start
of that period (the kernel keeps queued events back while strategies warm up).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType
from typing import Protocol

from tradebot.adapters.clock import utc_now
from tradebot.domain.commands import OperatorCommand
from tradebot.domain.errors import TradebotError
from tradebot.engine.event_loop import RANK_COMMAND
from tradebot.engine.kernel import Kernel
from tradebot.engine.topics import COMMANDS
from tradebot.ops.logging import get_logger
from tradebot.ports import CommandLog

__all__ = ["DEFAULT_POLL_S", "WAKE_SIGNAL", "ClosableLog", "CommandFeed", "feeding_commands"]

DEFAULT_POLL_S = 1.0
"""How often the feed looks for commands when no signal wakes it (another host's CLI, or
a signal lost)."""
WAKE_SIGNAL = signal.SIGUSR1
"""What ``tradebot kill`` sends the run's process after writing the command."""

_log = get_logger("commands")


class ClosableLog(CommandLog, Protocol):
    def close(self) -> None: ...


class CommandFeed:
    """Takes the pending commands of one run from ``log`` and queues them into ``kernel``.

    :meth:`poll` does one round (tests call it directly); :meth:`start` runs rounds in a
    daemon thread until :meth:`stop`. ``now`` stamps ``taken_at`` (the operator's wall
    time)."""

    def __init__(
        self,
        kernel: Kernel,
        log: CommandLog,
        *,
        poll_s: float = DEFAULT_POLL_S,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if poll_s <= 0:
            raise ValueError(f"poll_s must be > 0, got {poll_s}")
        self._kernel = kernel
        self._log = log
        self._run_id = kernel.run_info.id
        self._poll_s = poll_s
        self._now = now
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.posted = 0
        """Commands queued into the kernel so far."""

    def wake(self) -> None:
        """Look for commands now (safe in a signal handler: it only sets an event)."""
        self._wake.set()

    def poll(self) -> int:
        """Take every pending command of the run and queue it; how many were queued."""
        queued = 0
        for command in self._log.pending_commands(self._run_id):
            if self._log.command_taken(command.id, self._now()):
                self._post(command)
                queued += 1
        self.posted += queued
        return queued

    def _post(self, command: OperatorCommand) -> None:
        kernel = self._kernel
        ts = kernel.clock.now()
        trade_from = kernel.spec.options.trade_from
        if trade_from is not None and ts < trade_from:
            ts = trade_from
        kernel.post(command, COMMANDS, ts, RANK_COMMAND)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the command feed is running already")
        self._thread = threading.Thread(
            target=self._loop, name=f"commands-{self._run_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop the thread (after the round in progress, if any)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._poll_s)
            self._wake.clear()  # a signal after this is seen at the next round
            if self._stopping.is_set():
                return
            try:
                self.poll()
            except TradebotError as exc:  # a locked or unreachable database: try again
                _log.warning("reading commands failed", run_id=self._run_id, error=exc.one_line())


@contextmanager
def feeding_commands(
    kernel: Kernel,
    open_log: Callable[[], ClosableLog],
    *,
    poll_s: float = DEFAULT_POLL_S,
    wake_signal: signal.Signals | None = WAKE_SIGNAL,
) -> Iterator[CommandFeed]:
    """A :class:`CommandFeed` for ``kernel``'s run on a log of its own (``open_log()``,
    e.g. a second store on the same URL), woken by ``wake_signal`` (main thread only;
    None: polling alone). On exit the thread stops and its log is closed; the signal is
    then ignored rather than left to its default action — which would end the process —
    so a late ``tradebot kill`` cannot kill a run that is finishing."""
    log = open_log()
    feed = CommandFeed(kernel, log, poll_s=poll_s)

    def handler(signum: int, frame: FrameType | None) -> None:
        feed.wake()

    previous = None if wake_signal is None else signal.signal(wake_signal, handler)
    try:
        feed.start()
        yield feed
    finally:
        feed.stop()
        try:
            log.close()
        finally:
            if wake_signal is not None:
                kept = previous if callable(previous) else signal.SIG_IGN
                signal.signal(wake_signal, kept)
