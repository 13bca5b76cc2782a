"""From the kernel's bus messages to the metrics: one handler per topic, each a few
counter increments.

The composition root subscribes a :class:`MetricsObserver` to a paper or live kernel's bus
*after* the kernel's own stages (``tradebot.runtime.metrics``), so it sees each message
once the engine is done with it. It runs on the kernel's thread, in the bus's dispatch:

- **It never stops the run.** The bus ends a run when a handler raises; a metric is not
  worth that, so a failing handler is counted (``tradebot_metrics_observer_errors_total``)
  and logged once per handler, and the message goes on to nobody else's loss.
- **It never blocks.** prometheus_client's counters take a short lock of their own; the
  scrape thread reads them without ever waiting on the kernel.
- **Bounded memory:** what it keeps to pair messages (a decision's reference price for its
  fill's slippage, an order's submission time for its round trip) is capped at
  ``pending_cap`` entries, oldest dropped first.

Slippage is a market order's fill price against its decision's reference price (protective
legs fill at their own levels, not at a reference). The round trip runs from the first time
an order is seen before any report (new or submitted) to the first status the venue gave
it; an order first published already answered (a venue that accepts within the submit
call) is not timed.

The kernel's state (equity, tier, breakers, heat, pools, halts) is not a message: the
runtime hands a ``sample`` callable that reads it on this thread, and the observer calls it
at most every ``sample_every_s`` wall seconds on bars, at once after a fill or a decision.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Final, TypeVar

from tradebot.domain.bar import Bar
from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus, OrderType
from tradebot.domain.messages import Article, Fill, Order, ScoredArticle, Signal, TradingDecision
from tradebot.ops.logging import get_logger
from tradebot.ops.metrics.definitions import EngineMetrics
from tradebot.ops.metrics.labels import DECISION_CHECKS, NONE, Capped, Known, label_text
from tradebot.ops.metrics.state import StateSample, record_state

__all__ = ["MetricsObserver"]

_BEFORE_A_REPORT: Final = frozenset({OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.UNKNOWN})
"""Statuses an order has before the venue said anything of it (ours, or the submit's)."""
_BPS: Final = Decimal(10_000)
_log = get_logger("metrics")

_H = TypeVar("_H", bound=Callable[..., None])


def _never_raises(handler: _H) -> _H:
    """Count and log (once per handler) what ``handler`` raises instead of raising it."""
    warned: list[bool] = []

    @functools.wraps(handler)
    def guarded(self: MetricsObserver, message: Any) -> None:
        try:
            handler(self, message)
        except Exception as exc:
            self.metrics.observer_errors.inc()
            if not warned:
                warned.append(True)
                _log.warning("metrics observer failed", handler=handler.__name__, error=repr(exc))

    return guarded  # type: ignore[return-value]


class MetricsObserver:
    """Bus handlers that keep :class:`EngineMetrics` up to date (module docstring)."""

    def __init__(
        self,
        metrics: EngineMetrics,
        *,
        source: str,
        strategies: Iterable[str],
        monotonic: Callable[[], float],
        sample: Callable[[], StateSample] | None = None,
        sample_every_s: float = 1.0,
        pending_cap: int = 10_000,
    ) -> None:
        """``source``: where the bars come from (``replay``, ``alpaca``, ``ccxt``, ...);
        ``strategies``: the run's strategies (any other name is counted as ``other``);
        ``monotonic``: the wall clock's monotonic seconds (the adapters' clock)."""
        self.metrics = metrics
        self._source = label_text(source)
        self._strategy = Known(strategies)
        self._check = Known(DECISION_CHECKS)
        self._news_source = Capped(16)
        self._tier = Capped(8)
        self._monotonic = monotonic
        self._sample = sample
        self._sample_every = sample_every_s
        self._sampled = float("-inf")
        self._cap = pending_cap
        self._references: dict[str, tuple[Decimal, OrderSide | None]] = {}
        """Decision id → its reference price and side (acting decisions only)."""
        self._orders: dict[str, str] = {}
        """Client order id → decision id (market orders: their fills have a reference). The
        order manager publishes an order while its decision is still being dispatched, so
        an order is usually seen before its decision."""
        self._submitted: dict[str, float] = {}
        """Client order id → monotonic time it was first seen, until its first report."""
        self._last_bar = monotonic()
        metrics.feed_staleness_seconds.set_function(self.staleness)

    # --- what comes in ----------------------------------------------------------------
    @_never_raises
    def on_bar(self, bar: Bar) -> None:
        self._last_bar = self._monotonic()
        self.metrics.bars.labels(self._source, str(bar.timeframe)).inc()
        self.sample_state(force=False)

    @_never_raises
    def on_article(self, article: Article) -> None:
        self.metrics.news.labels(self._news_source(article.source)).inc()

    @_never_raises
    def on_scored(self, scored: ScoredArticle) -> None:
        self.metrics.news_scored.labels(self._tier(scored.model)).inc()

    # --- what the engine makes of it --------------------------------------------------
    @_never_raises
    def on_signal(self, signal: Signal) -> None:
        direction = str(signal.direction)
        for strategy in signal.sources or ("ensemble",):
            self.metrics.signals.labels(self._strategy(strategy), direction).inc()

    @_never_raises
    def on_decision(self, decision: TradingDecision) -> None:
        acted = decision.action == DecisionAction.ACT
        failed = next((c.check for c in decision.trace if not c.passed), None)
        first = NONE if acted or failed is None else self._check(failed)
        self.metrics.decisions.labels(str(decision.action), first).inc()
        if acted:
            self._keep(self._references, decision.id, (decision.reference_price, decision.side))
        self.sample_state(force=True)

    @_never_raises
    def on_order(self, order: Order) -> None:
        coid = order.client_order_id
        self.metrics.orders.labels(str(order.status)).inc()
        if order.type == OrderType.MARKET and coid not in self._orders:
            self._keep(self._orders, coid, order.decision_id)
        if order.status in _BEFORE_A_REPORT:
            if coid not in self._submitted and order.status != OrderStatus.UNKNOWN:
                self._keep(self._submitted, coid, self._monotonic())
            return
        started = self._submitted.pop(coid, None)
        if started is not None:
            self.metrics.order_roundtrip_seconds.observe(max(0.0, self._monotonic() - started))

    @_never_raises
    def on_fill(self, fill: Fill) -> None:
        decision = self._orders.get(fill.client_order_id)
        reference = None if decision is None else self._references.get(decision)
        if reference is not None:
            price, side = reference
            if price > 0 and side in (None, fill.side):
                sign = 1 if fill.side == OrderSide.BUY else -1
                bps = (fill.price - price) / price * _BPS * sign
                self.metrics.fill_slippage_bps.observe(float(bps))
        self.sample_state(force=True)

    # --- the kernel's state -----------------------------------------------------------
    def sample_state(self, *, force: bool) -> None:
        """Read the kernel's state into the gauges (on the kernel's thread), at most every
        ``sample_every_s`` unless ``force``."""
        if self._sample is None:
            return
        now = self._monotonic()
        if not force and now - self._sampled < self._sample_every:
            return
        self._sampled = now
        record_state(self.metrics, self._sample())

    def staleness(self) -> float:
        """Wall seconds since the last bar arrived (read by the scrape's thread)."""
        return max(0.0, self._monotonic() - self._last_bar)

    def _keep(self, book: dict[str, Any], key: str, value: Any) -> None:
        if key not in book and len(book) >= self._cap:
            del book[next(iter(book))]  # the oldest: dicts keep insertion order
        book[key] = value
