"""The signal generator: runs each symbol's strategy on its bars and publishes signals.

One strategy instance per symbol, created on the symbol's first bar, so no state leaks
between symbols. Scored news is kept per ticker for news-aware strategies (the latest
score for now; the sentiment issue brings the decaying context).
"""

from __future__ import annotations

from datetime import datetime

from tradebot.domain.bar import Bar
from tradebot.domain.messages import ScoredArticle, Signal
from tradebot.engine.ids import signal_id
from tradebot.engine.topics import SIGNALS
from tradebot.ports import Bus, Store
from tradebot.strategies.base import Opinion, Strategy, StrategyFactory

__all__ = ["SignalStage"]


class SignalStage:
    stage = "signal-generator"

    def __init__(self, *, run_id: str, factory: StrategyFactory, store: Store, bus: Bus) -> None:
        self._run_id = run_id
        self._factory = factory
        self._store = store
        self._bus = bus
        self._strategies: dict[str, Strategy] = {}
        self._last_ts: dict[str, datetime] = {}
        self.latest_sentiment: dict[str, ScoredArticle] = {}
        self.emitted = 0

    def warm_up(self, bar: Bar) -> None:
        """Feed a bar from before the trading period: indicators learn, nothing is emitted."""
        self._opinion(bar)

    def on_bar(self, bar: Bar) -> None:
        opinion = self._opinion(bar)
        if opinion is None:
            return
        signal = Signal(
            id=signal_id(self._run_id, bar.symbol, bar.ts, self._factory.name),
            ts=bar.ts,
            symbol=bar.symbol,
            direction=opinion.direction,
            strength=opinion.strength,
            confidence=opinion.confidence,
            price=bar.close,
            sources={self._factory.name: opinion.strength},
        )
        self.emitted += 1
        self._store.record_signal(self._run_id, signal)
        self._bus.publish(SIGNALS, signal)

    def _opinion(self, bar: Bar) -> Opinion | None:
        last = self._last_ts.get(bar.symbol)
        if last is not None and bar.ts <= last:
            return None  # redelivered or out of order: a strategy sees each bar once, in order
        self._last_ts[bar.symbol] = bar.ts
        strategy = self._strategies.get(bar.symbol)
        if strategy is None:
            strategy = self._strategies[bar.symbol] = self._factory(bar.symbol)
        return strategy.on_bar(bar)

    def on_scored(self, scored: ScoredArticle) -> None:
        self.latest_sentiment[scored.ticker] = scored
