"""From a running kernel's bus to the :class:`~tradebot.service.events.EventHub`.

:class:`EngineBridge` subscribes to the kernel's topics *after* the kernel wired its own
stages (so it sees each message once the engine is done with it) and, on the kernel's
thread: turns each message into a JSON-ready payload and publishes it (fills, orders,
decisions, signals, scored news, command outcomes, the portfolio after each bar and each
fill), notes when things last happened, and hands a fresh
:class:`~tradebot.service.engine_status.KernelView` to the host — at most every
``view_every_s`` on bars, at once after a fill, a decision or a command.

:class:`BeatingClock` wraps the kernel's clock so each turn of its loop is a heartbeat —
the live loop asks the time at least every 0.25 s while it waits, a paced replay waits at
most 5 s per step — without adding an event to the run (a timer would close bar times
early and change what the run does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from tradebot.adapters.clock import monotonic
from tradebot.domain.bar import Bar
from tradebot.domain.commands import CommandOutcome
from tradebot.domain.messages import Fill, Order, ScoredArticle, Signal, TradingDecision
from tradebot.domain.timer import TimerEvent
from tradebot.engine import topics
from tradebot.engine.kernel import Kernel
from tradebot.ports import Clock
from tradebot.service.engine_status import KernelView, kernel_view
from tradebot.service.events import EventHub

__all__ = ["BeatingClock", "EngineBridge", "payload"]

_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {
    kind: TypeAdapter(kind) for kind in (Fill, Order, Signal, TradingDecision, CommandOutcome)
}


def payload(message: Any) -> dict[str, Any]:
    """``message`` as JSON-ready values: Decimals as strings, times in ISO 8601."""
    adapter = _ADAPTERS.get(type(message))
    if adapter is None:
        adapter = _ADAPTERS[type(message)] = TypeAdapter(type(message))
    dumped: dict[str, Any] = adapter.dump_python(message, mode="json")
    return dumped


def news_payload(scored: ScoredArticle) -> dict[str, Any]:
    """A scored item without the article's body (the list route has it)."""
    article = scored.article
    return {
        "ticker": scored.ticker,
        "score": scored.score,
        "confidence": scored.confidence,
        "model": scored.model,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published_at": article.published_at.isoformat(),
        "content_hash": article.content_hash,
    }


class BeatingClock:
    """A :class:`~tradebot.ports.Clock` that calls ``beat`` whenever its loop asks the time
    or moves it; everything else is the wrapped clock's.

    Only calls on thread ``thread`` (an ident, the kernel loop's) beat: other threads read
    the clock too — the command feed stamps each command it posts with ``now()`` — and a
    beat from them would show a stuck loop as alive.
    """

    def __init__(self, inner: Clock, beat: Callable[[], None], *, thread: int) -> None:
        self._inner = inner
        self._beat = beat
        self._thread = thread
        self.instant = inner.instant
        self.timers = inner.timers

    def now(self) -> datetime:
        if threading.get_ident() == self._thread:
            self._beat()
        return self._inner.now()

    def advance_to(self, ts: datetime) -> None:
        self._inner.advance_to(ts)
        if threading.get_ident() == self._thread:
            self._beat()

    def schedule(self, timer: TimerEvent) -> None:
        self._inner.schedule(timer)

    def cancel(self, key: str) -> None:
        self._inner.cancel(key)

    def interrupt(self) -> None:
        self._inner.interrupt()


class EngineBridge:
    """Publishes one kernel's events and keeps its view fresh (module docstring)."""

    def __init__(
        self,
        kernel: Kernel,
        hub: EventHub,
        on_view: Callable[[KernelView], None],
        *,
        view_every_s: float = 0.2,
        extra_topics: tuple[str, ...] = (),
    ) -> None:
        self._kernel = kernel
        self._hub = hub
        self._on_view = on_view
        self._every = view_every_s
        self._extra = extra_topics
        self.run_id = kernel.run_info.id
        self.last_event = 0.0
        """Monotonic time of the last message the bridge saw (0: none yet)."""
        self.last_decision_at: datetime | None = None
        self.last_bar_at: datetime | None = None
        self._viewed = float("-inf")

    def attach(self) -> None:
        """Subscribe to the kernel's bus (after its own stages) and take a first view."""
        sub = self._kernel.spec.bus.subscribe
        sub(topics.MARKET_BARS, self._on_bar, stage="api")
        sub(topics.FILLS, self._on_fill, stage="api")
        sub(topics.ORDERS, self._on_order, stage="api")
        sub(topics.DECISIONS, self._on_decision, stage="api")
        sub(topics.SIGNALS, self._on_signal, stage="api")
        sub(topics.NEWS_SCORED, self._on_news, stage="api")
        sub(topics.COMMAND_OUTCOMES, self._on_outcome, stage="api")
        for topic in self._extra:  # a live session's reconciliation timer
            sub(topic, self._on_other, stage="api")
        self.refresh()

    def refresh(self) -> None:
        """A new view of the kernel (call on its thread)."""
        self._viewed = monotonic()
        self._on_view(kernel_view(self._kernel))

    def publish(self, kind: str, data: Mapping[str, Any]) -> None:
        self._hub.publish(kind, data, run_id=self.run_id)

    # --- bus handlers (the kernel's thread) ------------------------------------------------
    def _seen(self) -> float:
        now = self.last_event = monotonic()
        return now

    def _on_bar(self, bar: Bar) -> None:
        now = self._seen()
        self.last_bar_at = bar.ts
        self._portfolio(bar.ts)
        if now - self._viewed >= self._every:
            self.refresh()

    def _on_fill(self, fill: Fill) -> None:
        self._seen()
        self.publish("fill", payload(fill))
        self._portfolio(fill.ts)
        self.refresh()

    def _on_order(self, order: Order) -> None:
        self._seen()
        self.publish("order", payload(order))

    def _on_decision(self, decision: TradingDecision) -> None:
        self._seen()
        self.last_decision_at = decision.ts
        self.publish("decision", payload(decision))
        self.refresh()

    def _on_signal(self, signal: Signal) -> None:
        self._seen()
        self.publish("signal", payload(signal))

    def _on_news(self, scored: ScoredArticle) -> None:
        self._seen()
        self.publish("news", news_payload(scored))

    def _on_outcome(self, outcome: CommandOutcome) -> None:
        self._seen()
        self.refresh()
        self.publish("status", {"event": "command", **payload(outcome)})

    def _on_other(self, _: object) -> None:
        self._seen()
        self.refresh()

    def _portfolio(self, ts: datetime) -> None:
        portfolio = self._kernel.portfolio
        equity = portfolio.equity()
        self.publish(
            "portfolio",
            {
                "ts": ts.isoformat(),
                "equity": str(equity),
                "cash": str(portfolio.cash),
                "positions_value": str(equity - portfolio.cash),
                "open_positions": len(portfolio.positions),
                "realised_pnl": str(portfolio.realised_pnl),
            },
        )
