"""The signal generator: runs every strategy on each symbol's bars and combines their
opinions through the weighted ensemble into at most one signal per bar.

Each symbol gets its own strategy instances and its own :class:`StrategyContext` (recent
bars, sentiment), created on its first bar, so no state leaks between symbols. A bar older
than or equal to the symbol's last one is ignored: a strategy sees each bar once, in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tradebot.domain.bar import Bar
from tradebot.domain.messages import ScoredArticle, Signal
from tradebot.engine.ids import signal_id
from tradebot.engine.topics import SIGNALS
from tradebot.ports import Bus, Store
from tradebot.sentiment.context import SentimentContext
from tradebot.signals.ensemble import DEFAULT_THRESHOLD, combine
from tradebot.strategies.base import Opinion, Strategy, StrategyContext, StrategyFactory

__all__ = ["SignalStage"]

_ENSEMBLE = "ensemble"


@dataclass(slots=True)
class _Book:
    """One symbol's strategies and context."""

    context: StrategyContext
    strategies: list[tuple[str, Strategy]]
    last_ts: datetime | None = None


class SignalStage:
    stage = "signal-generator"

    def __init__(
        self,
        *,
        run_id: str,
        factories: Sequence[StrategyFactory],
        store: Store,
        bus: Bus,
        weights: Mapping[str, float] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        sentiment_half_life: timedelta = timedelta(hours=4),
    ) -> None:
        """``sentiment_half_life``: how fast a news score's weight halves in each
        symbol's :class:`SentimentContext` (``sentiment.half_life_hours``)."""
        if not factories:
            raise ValueError("the signal stage needs at least one strategy")
        self._run_id = run_id
        self._factories = list(factories)
        self._store = store
        self._bus = bus
        self.weights: dict[str, float] = dict(weights or {})
        self.threshold = threshold
        SentimentContext(half_life=sentiment_half_life)  # refuses a bad half-life here
        self._half_life = sentiment_half_life
        self._history = max(2, max(f.warmup_period for f in self._factories) + 1)
        self._books: dict[str, _Book] = {}
        self.emitted = 0

    def set_weights(self, weights: Mapping[str, float]) -> None:
        """New strategy weights (from the learning engine) apply from the next bar on."""
        self.weights = dict(weights)

    def warm_up(self, bar: Bar) -> None:
        """Feed a bar from before the trading period: indicators learn, nothing is emitted."""
        self._votes(bar)

    def on_bar(self, bar: Bar) -> None:
        votes = self._votes(bar)
        if votes:
            self.emit(bar.symbol, bar.ts, bar.close, votes)

    def emit(
        self, symbol: str, ts: datetime, price: float, votes: Sequence[tuple[str, Opinion]]
    ) -> None:
        """Combine the opinions given after ``symbol``'s bar at ``ts`` (in strategy order)
        into at most one signal, record it and publish it. Both kernel paths end here."""
        result = combine(votes, self.weights, threshold=self.threshold)
        if result is None:
            return
        signal = Signal(
            id=signal_id(self._run_id, symbol, ts, _ENSEMBLE),
            ts=ts,
            symbol=symbol,
            direction=result.direction,
            strength=result.strength,
            confidence=result.confidence,
            price=price,
            sources=result.strengths,
            contributions=result.contributions,
        )
        self.emitted += 1
        self._store.record_signal(self._run_id, signal)
        self._bus.publish(SIGNALS, signal)

    def count(self, signal: Signal) -> None:
        """Count a signal this run recorded before it was resumed, if it is one of this
        stage's (the risk engine records signals of its own for its exits)."""
        if signal.id == signal_id(self._run_id, signal.symbol, signal.ts, _ENSEMBLE):
            self.emitted += 1

    def on_scored(self, scored: ScoredArticle) -> None:
        book = self._book(scored.ticker)
        book.context.sentiment.add(scored.article.published_at, scored.score, scored.confidence)

    def context(self, symbol: str) -> StrategyContext:
        return self._book(symbol).context

    def strategies(self, symbol: str) -> list[tuple[str, Strategy]]:
        """``symbol``'s strategy instances in ensemble order (created on first use)."""
        return self._book(symbol).strategies

    def seen(self, symbol: str, ts: datetime) -> None:
        """The batch path showed ``symbol``'s strategies every bar up to ``ts``."""
        self._book(symbol).last_ts = ts

    def _votes(self, bar: Bar) -> list[tuple[str, Opinion]]:
        book = self._book(bar.symbol)
        if book.last_ts is not None and bar.ts <= book.last_ts:
            return []  # redelivered or out of order
        book.last_ts = bar.ts
        ctx = book.context
        ctx.history.append(bar)
        votes: list[tuple[str, Opinion]] = []
        for name, strategy in book.strategies:
            opinion = strategy.on_bar(bar, ctx)
            if opinion is not None:
                votes.append((name, opinion))
        return votes

    def _book(self, symbol: str) -> _Book:
        book = self._books.get(symbol)
        if book is None:
            context = StrategyContext(
                symbol,
                history=deque(maxlen=self._history),
                sentiment=SentimentContext(half_life=self._half_life),
            )
            strategies = [(f.name, f(symbol)) for f in self._factories]
            book = self._books[symbol] = _Book(context, strategies)
        return book
