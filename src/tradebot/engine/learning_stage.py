"""The learning stage: closed trades move the ensemble's strategy weights (DESIGN.md §2,
the last stage of the pipeline).

It listens on three topics and keeps what it needs to evaluate a trade when it closes:

* ``signals`` — each signal's per-strategy signed contributions, by signal id;
* ``decisions`` — for each acted decision, its signal id and the symbol's ATR at that
  moment (the trade's risk at entry, from the risk engine's market state when there is one);
* ``trades.closed`` — the trade is evaluated (:func:`tradebot.learning.evaluate_outcome`),
  added to the :class:`~tradebot.learning.OutcomeBook` (a trade id seen before changes
  nothing: redelivery is harmless), recorded, and every ``every`` evaluated trades the
  policy proposes new weights. Every change of a cycle that moved anything is recorded as
  an adjustment at the trade's exit time; unless the stage runs in shadow, the signal
  stage gets the new weights, which apply from the next bar on.

**No look-ahead.** The only input that moves weights is a closed trade, acted on at its
exit time ``t`` (a fill, which happens inside a later bar than the one its order was
decided on); a signal at ``t`` or earlier was already emitted with the old weights, so the
weights used at time ``t`` depend only on trades closed before ``t``.

On an in-process bus a decision arrives before later subscribers of ``signals`` see the
signal it answers, so the two are matched by signal id whichever comes first.

**Shadow mode**: the policy runs on its own copy of the weights, recorded (``shadow``)
and never handed to the signal stage — what it would have done, before anyone trusts it.

**Resume**: a resumed run gets the book back from the outcomes the store recorded for it
and its weights from its last recorded adjustments (:meth:`LearningStage.restore`); the
recorded past it replays then closes no trade twice (the book refuses known trade ids).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from tradebot.domain.enums import DecisionAction
from tradebot.domain.messages import ClosedTrade, Signal, TradingDecision
from tradebot.engine.signal_stage import SignalStage
from tradebot.engine.topics import DECISIONS, SIGNALS, TRADES_CLOSED
from tradebot.learning import (
    Guardrails,
    OutcomeBook,
    TradeOutcome,
    WeightChange,
    WeightPolicy,
    apply_changes,
    evaluate_outcome,
)
from tradebot.ports import Bus

__all__ = ["AtrOf", "LearningLog", "LearningSetup", "LearningStage", "WeightPoint"]

AtrOf = Callable[[str], float | None]
"""A symbol's current ATR (``None`` before it is warmed up)."""

_RECENT_SIGNALS = 4096
"""Signals kept while no decision has named them (most never will: skipped or unseen)."""


@runtime_checkable
class LearningLog(Protocol):
    """Where outcomes and adjustments are recorded (the SQL and memory stores)."""

    def record_trade_outcome(self, run_id: str, outcome: TradeOutcome) -> None: ...

    def record_weight_adjustment(
        self,
        run_id: str | None,
        change: WeightChange,
        ts: datetime,
        *,
        shadow: bool = False,
        apply: bool = False,
        reason: str = "",
    ) -> None:
        """``apply``: also set the strategy's weight in the strategies table, in the same
        transaction (learning that should outlive the run: paper and live)."""
        ...

    def trade_outcomes(self, run_id: str) -> list[TradeOutcome]: ...

    def weight_adjustments(
        self, run_id: str | None = None, strategy: str | None = None
    ) -> list[Any]:
        """Records with ``strategy``, ``new``, ``shadow`` attributes, oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class LearningSetup:
    """How a run learns (from the ``learning:`` settings)."""

    policy: WeightPolicy
    guardrails: Guardrails = field(default_factory=Guardrails)
    shadow: bool = False
    """Compute and record weights, never use them."""
    every: int = 1
    """A policy cycle after every ``every`` evaluated trades (1: after each close)."""
    persist_weights: bool = False
    """Write learned weights to the strategies table too (paper and live; a backtest only
    records its weight path, so that a later run does not start from its weights)."""
    risk_fallback: float = 0.02
    """A trade's risk as a fraction of its entry price when its ATR was unknown."""

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"learning every must be >= 1 trade, got {self.every}")


@dataclass(frozen=True, slots=True)
class WeightPoint:
    """The weights from ``ts`` on (shadow ones: what the policy would have used)."""

    ts: datetime
    weights: dict[str, float]
    shadow: bool


@dataclass(slots=True)
class _Entry:
    signal_id: str
    atr: float | None


class LearningStage:
    stage = "learning"

    def __init__(
        self,
        *,
        run_id: str,
        setup: LearningSetup,
        signals: SignalStage,
        strategies: Sequence[str],
        log: LearningLog | None = None,
        atr_of: AtrOf | None = None,
    ) -> None:
        """``strategies``: the run's strategy names (the policy's arms); their weights start
        as the signal stage's, as shares summing to 1. A strategy weighing 0 (inactive)
        stays silent and is not learned."""
        if not strategies:
            raise ValueError("the learning stage needs at least one strategy")
        self._run_id = run_id
        self.setup = setup
        self._signals = signals
        self._log = log
        self._atr_of = atr_of
        given = {name: max(float(signals.weights.get(name, 1.0)), 0.0) for name in strategies}
        self._silent = {name for name, w in given.items() if w == 0.0}
        self.weights = _shares({n: w for n, w in given.items() if n not in self._silent})
        """The learned weights (the shadow ones in shadow mode), summing to 1."""
        self.initial = dict(self.weights)
        """The weights the run started from (the first step of its weight path)."""
        self.book = OutcomeBook()
        self.path: list[WeightPoint] = []
        """Every cycle that moved a weight, in order."""
        self.adjustments = 0
        self._since_cycle = 0
        self._recent: OrderedDict[str, Mapping[str, float]] = OrderedDict()
        self._entries: dict[str, _Entry] = {}  # acted decision id → its signal, ATR
        self._wanted: dict[str, Mapping[str, float] | None] = {}  # signal id → contributions

    @property
    def evaluated(self) -> int:
        """Closed trades evaluated so far (each once: the book refuses a repeat)."""
        return len(self.book)

    def attach(self, bus: Bus) -> None:
        """Subscribe (after the kernel's stages: a trade reaches the ledger and the risk
        engine before it reaches learning)."""
        bus.subscribe(SIGNALS, self.on_signal, stage=self.stage)
        bus.subscribe(DECISIONS, self.on_decision, stage=self.stage)
        bus.subscribe(TRADES_CLOSED, self.on_trade_closed, stage=self.stage)

    # --- what a trade will need when it closes ---------------------------------------------
    def on_signal(self, signal: Signal) -> None:
        contributions = signal.contributions  # a frozen signal's: kept, not copied per bar
        if signal.id in self._wanted:
            self._wanted[signal.id] = contributions
            return
        recent = self._recent
        recent[signal.id] = contributions
        if len(recent) > _RECENT_SIGNALS:
            recent.popitem(last=False)

    def on_decision(self, decision: TradingDecision) -> None:
        if decision.action is not DecisionAction.ACT or decision.id in self._entries:
            return
        atr = self._atr_of(decision.symbol) if self._atr_of is not None else None
        self._entries[decision.id] = _Entry(decision.signal_id, atr)
        if decision.signal_id not in self._wanted:
            self._wanted[decision.signal_id] = self._recent.pop(decision.signal_id, None)

    # --- a closed trade --------------------------------------------------------------------
    def on_trade_closed(self, trade: ClosedTrade) -> None:
        entry = self._entries.pop(trade.entry_decision_id, None)
        exit_entry = self._entries.pop(trade.exit_decision_id, None)
        if exit_entry is not None:
            self._wanted.pop(exit_entry.signal_id, None)
        signal_id = None if entry is None else entry.signal_id
        contributions = (self._wanted.pop(signal_id, None) or {}) if signal_id else {}
        outcome = evaluate_outcome(
            trade,
            contributions,
            signal_id=signal_id,
            atr_at_entry=None if entry is None else entry.atr,
            risk_fallback=self.setup.risk_fallback,
        )
        if not self.book.add(outcome):
            return  # redelivered (or replayed on a resume): changes nothing
        if self._log is not None:
            self._log.record_trade_outcome(self._run_id, outcome)
        self._since_cycle += 1
        if self._since_cycle >= self.setup.every:
            self._since_cycle = 0
            self.cycle(trade.exit_ts)

    def cycle(self, ts: datetime) -> list[WeightChange]:
        """Ask the policy for new weights from the outcomes so far; record and (unless in
        shadow) apply them. Returns the cycle's changes (none when nothing moved)."""
        setup = self.setup
        changes = setup.policy.propose(self.weights, self.book, setup.guardrails)
        new = apply_changes(self.weights, changes)
        if all(
            math.isclose(new[n], w, rel_tol=0.0, abs_tol=1e-12) for n, w in self.weights.items()
        ):
            return []
        self.weights = new
        self.adjustments += len(changes)
        if self._log is not None:
            apply = setup.persist_weights and not setup.shadow
            for change in changes:
                self._log.record_weight_adjustment(
                    self._run_id, change, ts, shadow=setup.shadow, apply=apply
                )
        self.path.append(WeightPoint(ts, dict(new), setup.shadow))
        if not setup.shadow:
            self._signals.set_weights(self.ensemble_weights())
        return list(changes)

    def ensemble_weights(self) -> dict[str, float]:
        """The weights the signal stage gets: the learned shares, silent strategies 0."""
        return self.weights | dict.fromkeys(self._silent, 0.0)

    # --- resume ----------------------------------------------------------------------------
    def restore(self) -> None:
        """Continue a resumed run: its recorded outcomes back into the book, its weights as
        its last recorded adjustments left them (those of its mode: shadow or not)."""
        log = self._log
        if log is None:
            return
        for outcome in log.trade_outcomes(self._run_id):
            self.book.add(outcome)
        last: dict[str, float] = {}
        for record in log.weight_adjustments(self._run_id):
            if bool(record.shadow) == self.setup.shadow and record.strategy in self.weights:
                last[record.strategy] = float(record.new)
        if last:
            self.weights = _shares(self.weights | last)
            if not self.setup.shadow:
                self._signals.set_weights(self.ensemble_weights())

    def summary(self) -> dict[str, Any]:
        """For a run's summary: policy, mode, outcomes, adjustments and the final weights."""
        return {
            "learning_policy": self.setup.policy.name,
            "learning_shadow": self.setup.shadow,
            "learning_outcomes": self.evaluated,
            "learning_adjustments": self.adjustments,
            "final_weights": dict(self.weights),
        }


def _shares(weights: Mapping[str, float]) -> dict[str, float]:
    """``weights`` scaled to sum to 1 (equal shares when they sum to nothing)."""
    total = math.fsum(weights.values())
    if not weights:
        return {}
    if total <= 0.0:
        return dict.fromkeys(weights, 1.0 / len(weights))
    return {name: w / total for name, w in weights.items()}
