"""A process that runs paper or live sessions notifies its owner.

:class:`ProcessNotifier` is the process's :class:`~tradebot.ports.Notifier`: the dispatcher
the ``notifications`` settings ask for (channels checked first: a bad one is one error line
before anything starts), swapped for a new one when the settings change (``tradebot
serve``: the API's audited config changes), fed the process's error bursts
(``ops.error_burst``), with each channel's failed and retried sends and its circuit state in
the metrics when the process reports them. On close it delivers what is still queued (a few
seconds at most).

:func:`notifying` is the CLI's scope for it (``tradebot paper|live``); the API's
``Services`` holds one for the server's life.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tradebot.adapters.clock import monotonic, utc_now
from tradebot.adapters.sql.connect import open_engine
from tradebot.config import NotificationSettings, Settings
from tradebot.domain.notifications import DeliveryStatus, Notification
from tradebot.ops.circuit import CircuitState
from tradebot.ops.error_burst import watch_error_bursts
from tradebot.ops.logging import get_logger
from tradebot.ops.notify.dispatcher import Dispatcher
from tradebot.runtime.metrics import installed as installed_metrics
from tradebot.runtime.notify import messages
from tradebot.runtime.notify.attach import install, uninstall
from tradebot.runtime.notify.channels import open_dispatcher

__all__ = ["ProcessNotifier", "notifying"]

_log = get_logger("notify")


class ProcessNotifier:
    """See the module docstring. Thread-safe: ``notify`` from any thread, never blocking."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._dispatcher: Dispatcher | None = None
        self._settings: NotificationSettings | None = None
        self._detach_bursts: Callable[[], None] | None = None
        self._states: dict[str, CircuitState] = {}

    @property
    def dispatcher(self) -> Dispatcher | None:
        return self._dispatcher

    def apply(self, settings: NotificationSettings) -> None:
        """Notify as ``settings`` say from now on (:class:`ConfigError` on a channel that
        cannot work, and the previous dispatcher stays)."""
        new = open_dispatcher(
            settings,
            self._db,
            on_state=self._state,
            on_error=_count_error,
            on_retry=_count_retry,
            on_outcome=_count_outcome,
        )
        with self._lock:
            old, self._dispatcher, self._settings = self._dispatcher, new, settings
            names = dict.fromkeys(settings.channels) if new is not None else {}
            self._states = dict.fromkeys(names, CircuitState.CLOSED)
        if self._detach_bursts is not None:
            self._detach_bursts()
            self._detach_bursts = None
        if new is not None:
            self._detach_bursts = watch_error_bursts(
                self._burst, settings.error_burst, settings.error_burst_window_s, monotonic
            )
        if old is not None:
            old.close()

    def notify(self, notification: Notification) -> None:
        dispatcher = self._dispatcher
        if dispatcher is not None:
            dispatcher.notify(notification)

    def channel_states(self) -> dict[str, CircuitState]:
        """Each channel's circuit state as last reported (closed unless it changed)."""
        with self._lock:
            return dict(self._states)

    def close(self) -> None:
        if self._detach_bursts is not None:
            self._detach_bursts()
            self._detach_bursts = None
        with self._lock:
            old, self._dispatcher = self._dispatcher, None
        if old is not None:
            old.close()

    def _burst(self, count: int, window_s: float, sample: str) -> None:
        self.notify(messages.error_burst(count, window_s, sample, utc_now()))

    def _state(self, channel: str, state: CircuitState) -> None:
        with self._lock:
            self._states[channel] = state
        log = _log.warning if state is CircuitState.OPEN else _log.info
        log("notification channel " + state.value.replace("_", "-"), channel=channel)
        metrics = installed_metrics()
        if metrics is not None:
            metrics.circuit_state(channel, state)


@contextmanager
def notifying(settings: Settings) -> Iterator[ProcessNotifier | None]:
    """Notify through ``settings.notifications`` while the block runs; the notifier, or
    None when notifications are off."""
    config = settings.notifications
    if not config.enabled or not config.channels:
        yield None
        return
    db = open_engine(settings.store.url, durable=False)  # a record lost to a power cut is no loss
    notifier = ProcessNotifier(db)
    try:
        notifier.apply(config)
        install(notifier)
        yield notifier
    finally:
        uninstall(notifier)
        notifier.close()
        db.dispose()


def _count_error(channel: str) -> None:
    metrics = installed_metrics()
    if metrics is not None:
        metrics.outside_error(channel)


def _count_outcome(channel: str, status: DeliveryStatus) -> None:
    metrics = installed_metrics()
    if metrics is not None:
        metrics.notification(channel, status.value)


def _count_retry(channel: str) -> None:
    metrics = installed_metrics()
    if metrics is not None:
        metrics.outside_retry(channel)
