"""Error bursts, for notifications: a structlog processor that notices when the bot logs
many errors at once.

One error is a log line; ``threshold`` errors within ``window_s`` seconds are an incident the
owner should hear of. The processor sits in the logging chain of every process
(``ops.logging.configure_logging``) and does nothing until a sink is attached
(:func:`watch_error_bursts`, by the front end that opened a notifier). It then calls the
sink once per burst — at the error that reaches the threshold — and not again until the
window has passed with fewer errors in it.

- Lines from the notifier's own stage (``stage="notify"``) are not counted: a channel that
  fails must not feed a burst that is sent to the same failing channel, and so on.
- The sink runs on the logging thread, so it must return at once (the dispatcher queues);
  a sink that raises is dropped from that call, never from the log line.
- Re-entrant calls (the sink logging) are ignored.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, MutableMapping
from typing import Any

__all__ = ["ERROR_BURSTS", "BurstSink", "ErrorBurstWatch", "watch_error_bursts"]

BurstSink = Callable[[int, float, str], None]
"""Called with (errors in the window, the window in seconds, the latest error's text)."""

_ERROR_LEVELS = frozenset({"error", "critical", "exception"})
_OWN_STAGE = "notify"


class ErrorBurstWatch:
    """The processor (module docstring)."""

    def __init__(self) -> None:
        self._now: Callable[[], float] = lambda: 0.0
        self._lock = threading.Lock()
        self._sink: BurstSink | None = None
        self._threshold = 5
        self._window_s = 60.0
        self._times: deque[float] = deque()
        self._quiet_until = 0.0
        self._inside = threading.local()

    def attach(
        self, sink: BurstSink, threshold: int, window_s: float, now: Callable[[], float]
    ) -> Callable[[], None]:
        """Start telling ``sink``; the function that stops it (if it is still the sink).
        ``now``: monotonic seconds (the caller's clock: ops reads none of its own)."""
        if threshold < 1 or window_s <= 0:
            raise ValueError("threshold must be ≥ 1 and window_s > 0")
        with self._lock:
            self._sink, self._threshold, self._window_s = sink, threshold, window_s
            self._now = now
            self._times.clear()
            self._quiet_until = 0.0

        def detach() -> None:
            with self._lock:
                if self._sink is sink:
                    self._sink = None
                    self._times.clear()

        return detach

    def __call__(
        self, _: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        level = str(event.get("level", method)).lower()
        if level not in _ERROR_LEVELS or event.get("stage") == _OWN_STAGE:
            return event
        fire = self._count()
        if fire is not None and not getattr(self._inside, "busy", False):
            sink, count, window = fire
            self._inside.busy = True
            try:
                sink(count, window, _text(event))
            except Exception:  # the log line matters more than the alert about it
                pass
            finally:
                self._inside.busy = False
        return event

    def _count(self) -> tuple[BurstSink, int, float] | None:
        with self._lock:
            if self._sink is None:
                return None
            now = self._now()
            times = self._times
            times.append(now)
            while times and times[0] <= now - self._window_s:
                times.popleft()
            if len(times) < self._threshold or now < self._quiet_until:
                return None
            self._quiet_until = now + self._window_s
            return self._sink, len(times), self._window_s


def _text(event: MutableMapping[str, Any]) -> str:
    said = str(event.get("event", ""))
    stage = event.get("stage")
    error = event.get("error")
    parts = [f"[{stage}]" if stage else "", said, f"({error})" if error else ""]
    return " ".join(p for p in parts if p)[:300]


ERROR_BURSTS = ErrorBurstWatch()
"""The process's watch, in its logging chain (``configure_logging``)."""


def watch_error_bursts(
    sink: BurstSink, threshold: int, window_s: float, now: Callable[[], float]
) -> Callable[[], None]:
    """Tell ``sink`` of error bursts from now on; the function that stops it."""
    return ERROR_BURSTS.attach(sink, threshold, window_s, now)
