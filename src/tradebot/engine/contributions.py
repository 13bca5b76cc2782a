"""How much one strategy took part in a run: the signals it contributed to, and the decisions
acted on those signals.

A strategy contributed to a signal when the ensemble gave it a non-zero share of the score
(``Signal.contributions``; a neutral vote or a zero weight is no contribution). A decision
counts when it acted (an order went out) on such a signal. This is how a backtest shows
what the news-driven strategy did: with news off it has no opinion, so both counts are 0.

It listens on the ``signals`` and ``decisions`` topics like any stage; counting by id keeps
it idempotent, so a redelivered message is counted once.
"""

from __future__ import annotations

from tradebot.domain.enums import DecisionAction
from tradebot.domain.messages import Signal, TradingDecision

__all__ = ["StrategyContributions"]


class StrategyContributions:
    stage = "attribution"

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy
        self._signals: set[str] = set()
        self._acted: set[str] = set()  # signal ids with an acted decision that names us

    @property
    def signals(self) -> int:
        """Signals to which the strategy contributed."""
        return len(self._signals)

    @property
    def acted(self) -> int:
        """Decisions acted on those signals (one decision per signal)."""
        return len(self._acted & self._signals)

    def on_signal(self, signal: Signal) -> None:
        if signal.contributions.get(self.strategy, 0.0) != 0.0:
            self._signals.add(signal.id)

    def on_decision(self, decision: TradingDecision) -> None:
        """Kept by signal id and matched when read: on an in-process bus the decision on a
        signal arrives before later subscribers of ``signals`` have seen that signal."""
        if decision.action is DecisionAction.ACT and self.strategy in decision.strategies:
            self._acted.add(decision.signal_id)
