"""Which notifier this process's paper and live runs tell, and the hook that subscribes a
:class:`~tradebot.runtime.notify.watcher.NotificationWatcher` to each kernel they build.

Like the metrics (``runtime.metrics``): the front end (``tradebot serve``, ``tradebot
paper|live``) opens the dispatcher and installs it for the process (:func:`notifying_to`);
:func:`~tradebot.runtime.wiring.build_kernel` and
:func:`~tradebot.runtime.live.build_live_kernel` call :func:`watch_kernel`. **A backtest is
never watched** (nobody to tell, and its bus stays the kernel's own stages). With nothing
installed a paper run tells nobody.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tradebot.config import NotificationSettings
from tradebot.domain.enums import Mode
from tradebot.engine import topics
from tradebot.engine.daily_summary import DAILY_SUMMARIES
from tradebot.engine.kernel import Kernel
from tradebot.ports import Notifier
from tradebot.runtime.notify.watcher import NotificationWatcher

__all__ = ["STAGE", "install", "installed", "notifying_to", "uninstall", "watch_kernel"]

STAGE = "notify"
"""The watcher's stage name on the bus (after the kernel's own)."""


class _Slot:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._notifier: Notifier | None = None

    def get(self) -> Notifier | None:
        with self._lock:
            return self._notifier

    def put(self, notifier: Notifier | None, *, unless: Notifier | None = None) -> None:
        with self._lock:
            if unless is None or self._notifier is unless:
                self._notifier = notifier


_SLOT = _Slot()


def installed() -> Notifier | None:
    """The notifier this process's paper and live runs tell (None: none)."""
    return _SLOT.get()


@contextmanager
def notifying_to(notifier: Notifier) -> Iterator[Notifier]:
    """Paper and live kernels built inside tell ``notifier``; emptied on the way out."""
    _SLOT.put(notifier)
    try:
        yield notifier
    finally:
        _SLOT.put(None, unless=notifier)


def install(notifier: Notifier) -> None:
    """:func:`notifying_to` without the scope (a server that lives as long as its process)."""
    _SLOT.put(notifier)


def uninstall(notifier: Notifier) -> None:
    """Empty the slot if ``notifier`` is still in it."""
    _SLOT.put(None, unless=notifier)


def watch_kernel(kernel: Kernel, settings: NotificationSettings) -> NotificationWatcher | None:
    """Subscribe a watcher to ``kernel`` when the process notifies and the run is not a
    backtest; the watcher, or None."""
    notifier = installed()
    if notifier is None or kernel.run_info.mode is Mode.BACKTEST or not settings.enabled:
        return None
    risk = kernel.risk
    watcher = NotificationWatcher(
        notifier,
        run_id=kernel.run_info.id,
        large_trade_pnl=settings.large_trade_pnl,
        weekly_digest=settings.weekly_digest,
        now=kernel.clock.now,
        active=(lambda: not risk.replaying) if risk is not None else (lambda: True),
    )
    sub = kernel.spec.bus.subscribe
    sub(topics.RISK_EVENTS, watcher.on_risk_events, stage=STAGE)
    sub(topics.TRADES_CLOSED, watcher.on_trade, stage=STAGE)
    sub(topics.COMMAND_OUTCOMES, watcher.on_outcome, stage=STAGE)
    sub(topics.ORDERS, watcher.on_order, stage=STAGE)
    sub(topics.RECONCILIATIONS, watcher.on_reconciliation, stage=STAGE)
    sub(DAILY_SUMMARIES, watcher.on_summary, stage=STAGE)
    kernel.health.listeners.append(watcher.on_feed)
    return watcher
