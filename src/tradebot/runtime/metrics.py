"""Metrics for paper and live runs: the composition root's one hook into ``ops.metrics``.

Which process reports to which :class:`~tradebot.ops.metrics.EngineMetrics` is decided by
its front end, before any kernel is built: ``tradebot serve`` (the API app) and ``tradebot
paper``/``live --metrics-port`` call :func:`reporting_to`. The kernels this runtime then
builds for paper and live runs — :func:`~tradebot.runtime.wiring.build_kernel` (replays,
resumes included) and :func:`~tradebot.runtime.live.build_live_kernel` — get:

- a :class:`~tradebot.ops.metrics.MetricsObserver` subscribed to their bus after their own
  stages (:func:`observe_kernel`), reading their state on their thread;
- their analyzer wrapped in :class:`~tradebot.ops.metrics.TimedSentiment`
  (:func:`timed_sentiment`), since a model's latency is not on the bus;
- their store's ``flush`` timed (:func:`time_store_writes`), since a write is not either.

**A backtest never gets any of it** (``mode`` is checked here, whatever is installed): its
bus stays the kernel's own stages and costs nothing more. With nothing installed a paper
run is unobserved too. The slot is per process (a kernel is built on whichever thread the
front end uses, the API's engine thread among them); installing another replaces it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tradebot.adapters.clock import monotonic
from tradebot.domain.enums import Mode
from tradebot.engine import topics
from tradebot.engine.kernel import Kernel
from tradebot.ops.resilience import SERVICE_BOARD
from tradebot.ports import SentimentModel
from tradebot.risk.breakers import BreakerKind
from tradebot.risk.heat import heat_fraction, portfolio_heat
from tradebot.risk.reserve import active_pool

if TYPE_CHECKING:  # imported when a process reports metrics: a backtest never loads them
    from tradebot.ops.metrics import EngineMetrics, MetricsObserver, StateSample

__all__ = [
    "STAGE",
    "install",
    "installed",
    "observe_kernel",
    "observe_reconciliation",
    "reporting_to",
    "state_of",
    "time_store_writes",
    "timed_sentiment",
    "uninstall",
]

STAGE = "metrics"
"""The observer's stage name on the bus (last on every topic it hears)."""


class _Slot:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._metrics: EngineMetrics | None = None
        self._unwatch: Callable[[], None] | None = None

    def get(self) -> EngineMetrics | None:
        with self._lock:
            return self._metrics

    def put(self, metrics: EngineMetrics | None, *, unless: EngineMetrics | None = None) -> None:
        """Install ``metrics`` (None: empty the slot); the installed metrics follow the
        circuit breakers of the process's service board."""
        with self._lock:
            if unless is not None and self._metrics is not unless:
                return
            if self._unwatch is not None:
                self._unwatch()
                self._unwatch = None
            self._metrics = metrics
            if metrics is not None:
                self._unwatch = metrics.watch_board(SERVICE_BOARD)


_SLOT = _Slot()


def installed() -> EngineMetrics | None:
    """The metrics this process's paper and live runs report to (None: none)."""
    return _SLOT.get()


@contextmanager
def reporting_to(metrics: EngineMetrics) -> Iterator[EngineMetrics]:
    """Paper and live kernels built inside report to ``metrics``; on the way out the slot
    is emptied (unless someone installed another meanwhile)."""
    _SLOT.put(metrics)
    try:
        yield metrics
    finally:
        _SLOT.put(None, unless=metrics)


def install(metrics: EngineMetrics) -> None:
    """:func:`reporting_to` without the scope (an app that lives as long as its process)."""
    _SLOT.put(metrics)


def uninstall(metrics: EngineMetrics) -> None:
    """Empty the slot if ``metrics`` is still in it."""
    _SLOT.put(None, unless=metrics)


def timed_sentiment(model: SentimentModel, mode: Mode) -> SentimentModel:
    """``model``, timed when a paper or live run reports metrics; as it is otherwise."""
    metrics = installed()
    if metrics is None or mode is Mode.BACKTEST:
        return model
    from tradebot.ops.metrics import TimedSentiment

    return TimedSentiment(model, metrics, monotonic)


def observe_kernel(kernel: Kernel, *, source: str) -> MetricsObserver | None:
    """Subscribe an observer to ``kernel``'s bus (after its stages) and time its store's
    writes, when the process reports metrics and the run is not a backtest."""
    metrics = installed()
    if metrics is None or kernel.run_info.mode is Mode.BACKTEST:
        return None
    from tradebot.ops.metrics import MetricsObserver

    observer = MetricsObserver(
        metrics,
        source=source,
        strategies=[factory.name for factory in kernel.spec.strategies],
        monotonic=monotonic,
        sample=lambda: state_of(kernel),
    )
    sub = kernel.spec.bus.subscribe
    sub(topics.MARKET_BARS, observer.on_bar, stage=STAGE)
    sub(topics.NEWS_RAW, observer.on_article, stage=STAGE)
    sub(topics.NEWS_SCORED, observer.on_scored, stage=STAGE)
    sub(topics.SIGNALS, observer.on_signal, stage=STAGE)
    sub(topics.DECISIONS, observer.on_decision, stage=STAGE)
    sub(topics.ORDERS, observer.on_order, stage=STAGE)
    sub(topics.FILLS, observer.on_fill, stage=STAGE)
    time_store_writes(kernel.spec.store, metrics)
    return observer


def observe_reconciliation(differences: int, unexplained: int) -> None:
    """A live session's reconciliation, when the process reports metrics."""
    metrics = installed()
    if metrics is not None:
        from tradebot.ops.metrics import record_reconciliation

        record_reconciliation(metrics, differences, unexplained)


def time_store_writes(store: object, metrics: EngineMetrics) -> None:
    """Time ``store.flush`` — every write of the SQL store goes through it (one record per
    flush in paper and live) — by wrapping it on this one instance; a store without one
    is left alone. The smallest hook that needs no change to the adapter: a
    ``SqlStore(on_write=...)`` argument would be the tidier one."""
    flush: Callable[[], None] | None = getattr(store, "flush", None)
    if flush is None or getattr(flush, "_timed", False):
        return
    seconds = metrics.store_write_seconds

    def timed() -> None:
        started = monotonic()
        try:
            flush()
        finally:
            seconds.observe(max(0.0, monotonic() - started))

    timed._timed = True  # type: ignore[attr-defined]
    try:
        store.flush = timed  # type: ignore[attr-defined]
    except AttributeError:  # a slotted store: its writes go untimed
        return


def state_of(kernel: Kernel) -> StateSample:
    """The kernel's state now, as plain numbers; call it on the kernel's thread only."""
    from tradebot.ops.metrics import StateSample

    portfolio = kernel.portfolio
    equity = portfolio.equity()
    gate = kernel.gate
    sample = StateSample(
        equity=float(equity),
        open_positions=len(portfolio.positions),
        halted=gate.halted is not None,
        paused=gate.paused is not None,
        feeds_down=len(kernel.health.down()),
    )
    risk = kernel.risk
    if risk is None:
        return sample
    state = risk.state
    now = kernel.clock.now()
    trips: Any = state.breakers.trips
    values = {s: p.quantity * p.last_price for s, p in risk.view().positions.items()}
    heat = portfolio_heat(state.stops, values)
    return replace(
        sample,
        tier=state.tier.value,
        breakers={
            kind.value: any(t.kind is kind and t.active_at(now) for t in trips)
            for kind in BreakerKind
        },
        heat=float(heat_fraction(heat, equity)),
        active_pool=float(active_pool(equity, state.reserve)),
        reserve_pool=float(state.reserve.balance),
    )
