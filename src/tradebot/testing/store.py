"""An in-memory :class:`~tradebot.ports.Store`, plus a store that fails on demand."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from copy import deepcopy
from dataclasses import replace
from datetime import datetime
from typing import Any

from tradebot.adapters.sql.learning_rows import WeightAdjustment
from tradebot.domain.commands import CommandRecord, CommandStatus, OperatorCommand
from tradebot.domain.errors import StoreError
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    Fill,
    Order,
    PortfolioSnapshot,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.learning import TradeOutcome, WeightChange
from tradebot.ports import RiskCheckpoint, StateDocument, document_of
from tradebot.risk.events import RiskEvent
from tradebot.risk.records import encode_event

__all__ = ["FailingStore", "MemoryStore"]


class MemoryStore:
    """Keeps every record in dicts keyed like the SQL tables, so duplicates collapse. Also
    a :class:`~tradebot.ports.CommandLog` (its command calls may come from another thread,
    as a command poller's do)."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}
        self.articles: dict[str, Article] = {}
        self.sentiments: dict[tuple[str, str, str], ScoredArticle] = {}
        self.signals: dict[str, Signal] = {}
        self.decisions: dict[str, TradingDecision] = {}
        self.orders: dict[str, Order] = {}
        self.fills: dict[str, Fill] = {}
        self.closed_trades: dict[str, ClosedTrade] = {}
        self.snapshots: dict[datetime, PortfolioSnapshot] = {}
        self.positions: dict[str, list[Position]] = {}
        self.flushes = 0
        self.weights: dict[str, float] = {}
        self.risk_states: dict[str, RiskCheckpoint] = {}
        self.risk_events: dict[str, dict[str, RiskEvent]] = {}
        """Per run, by record id (content-derived, so a repeat collapses), in order."""
        self.command_log: dict[str, CommandRecord] = {}
        """Operator commands by id, in the order they were posted."""
        self._commands_lock = threading.Lock()
        self.reconciliations: list[dict[str, Any]] = []
        """Each reconciliation's outcome, as the SQL store's row holds it, in order."""
        self.outcomes: dict[tuple[str, str], TradeOutcome] = {}
        """The learning engine's evaluated trades by (run, trade id)."""
        self.adjustments: list[WeightAdjustment] = []
        """Every weight adjustment, in the order recorded."""

    def start_run(self, run: RunInfo) -> None:
        self.runs[run.id] = {"info": run, "status": "running", "metrics": {}}

    def finish_run(
        self, run_id: str, status: str, finished_at: datetime, metrics: dict[str, Any]
    ) -> None:
        self.runs[run_id].update(status=status, finished_at=finished_at, metrics=metrics)

    def record_article(self, run_id: str, article: Article) -> None:
        self.articles.setdefault(article.content_hash, article)

    def record_sentiment(self, run_id: str, scored: ScoredArticle) -> None:
        self.sentiments[(scored.article.content_hash, scored.ticker, scored.model)] = scored

    def record_signal(self, run_id: str, signal: Signal) -> None:
        self.signals.setdefault(signal.id, signal)

    def record_decision(self, run_id: str, decision: TradingDecision) -> None:
        self.decisions.setdefault(decision.id, decision)

    def record_order(self, run_id: str, order: Order) -> None:
        self.orders[order.client_order_id] = order

    def record_fill(self, run_id: str, fill: Fill) -> None:
        self.fills.setdefault(fill.fill_id, fill)

    def record_closed_trade(self, run_id: str, trade: ClosedTrade) -> None:
        self.closed_trades.setdefault(trade.id, trade)

    def record_snapshot(self, run_id: str, snapshot: PortfolioSnapshot) -> None:
        self.snapshots[snapshot.ts] = snapshot

    def save_positions(self, run_id: str, positions: Sequence[Position]) -> None:
        self.positions[run_id] = list(positions)

    def load_weights(self, names: Sequence[str]) -> dict[str, float]:
        known = list(self.weights.values())
        default = sum(known) / len(known) if known else 1.0 / max(len(names), 1)
        for name in names:
            self.weights.setdefault(name, default)
        return {name: self.weights[name] for name in names}

    def save_risk_state(self, run_id: str, as_of: datetime, state: StateDocument) -> None:
        self.risk_states[run_id] = RiskCheckpoint(as_of, document_of(state))

    def load_risk_state(self, run_id: str) -> RiskCheckpoint | None:
        return self.risk_states.get(run_id)

    def record_risk_events(self, run_id: str, events: Sequence[RiskEvent]) -> None:
        book = self.risk_events.setdefault(run_id, {})
        for event in events:
            book.setdefault(encode_event(event).id, event)

    def record_reconciliation(
        self,
        run_id: str,
        ts: datetime,
        *,
        ok: bool,
        applied: int,
        external_orders: Sequence[Mapping[str, Any]],
        external_positions: Mapping[str, Any],
        differences: Sequence[str],
    ) -> None:
        self.reconciliations.append(
            {
                "run_id": run_id,
                "ts": ts,
                "ok": ok,
                "applied": applied,
                "external_orders": [dict(o) for o in external_orders],
                "external_positions": dict(external_positions),
                "differences": list(differences),
            }
        )

    def record_trade_outcome(self, run_id: str, outcome: TradeOutcome) -> None:
        self.outcomes.setdefault((run_id, outcome.trade_id), outcome)

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
        """The SQL store's twin: ``apply`` (never a shadow) also moves ``weights``."""
        self.adjustments.append(
            WeightAdjustment(
                run_id,
                ts,
                change.strategy,
                change.old,
                change.new,
                change.reward,
                change.outcomes,
                change.clipped_by,
                change.policy,
                shadow,
                reason,
            )
        )
        if apply and not shadow:
            self.weights[change.strategy] = change.new

    def trade_outcomes(self, run_id: str) -> list[TradeOutcome]:
        found = [o for (run, _), o in self.outcomes.items() if run == run_id]
        return sorted(found, key=lambda o: (o.closed_at, o.trade_id))

    def weight_adjustments(
        self, run_id: str | None = None, strategy: str | None = None
    ) -> list[WeightAdjustment]:
        return [
            a
            for a in self.adjustments
            if (run_id is None or a.run_id == run_id)
            and (strategy is None or a.strategy == strategy)
        ]

    def __deepcopy__(self, memo: dict[int, Any]) -> MemoryStore:
        """A copy of everything recorded (a test forks a run's record), with a lock of its
        own (a lock cannot be copied)."""
        copy = object.__new__(type(self))
        memo[id(self)] = copy
        for name, value in vars(self).items():
            fresh = threading.Lock() if name == "_commands_lock" else deepcopy(value, memo)
            setattr(copy, name, fresh)
        return copy

    # --- the command log (the SQL store's conditional updates, under a lock) ------------
    def post_command(self, command: OperatorCommand) -> None:
        with self._commands_lock:
            self.command_log.setdefault(
                command.id, CommandRecord(command=command, status=CommandStatus.PENDING)
            )

    def pending_commands(self, run_id: str) -> list[OperatorCommand]:
        with self._commands_lock:
            records = list(self.command_log.values())
        pending = [
            r.command
            for r in records
            if r.command.run_id == run_id and r.status is CommandStatus.PENDING
        ]
        return sorted(pending, key=lambda c: (c.ts, c.id))

    def command_taken(self, command_id: str, ts: datetime) -> bool:
        with self._commands_lock:
            record = self.command_log.get(command_id)
            if record is None or record.status is not CommandStatus.PENDING:
                return False
            self.command_log[command_id] = replace(record, status=CommandStatus.TAKEN, taken_at=ts)
            return True

    def command_outcome(
        self, command_id: str, status: CommandStatus, outcome: str, ts: datetime
    ) -> None:
        if not status.final:
            raise ValueError(f"an outcome is applied or refused, not {status}")
        with self._commands_lock:
            record = self.command_log.get(command_id)
            if record is not None and not record.status.final:
                decided = replace(record, status=status, decided_at=ts, outcome=outcome)
                self.command_log[command_id] = decided

    def withdraw_command(self, command_id: str, outcome: str, ts: datetime) -> bool:
        with self._commands_lock:
            record = self.command_log.get(command_id)
            if record is None or record.status is not CommandStatus.PENDING:
                return False
            refused = CommandStatus.REFUSED
            withdrawn = replace(record, status=refused, decided_at=ts, outcome=outcome)
            self.command_log[command_id] = withdrawn
            return True

    def commands(self, run_id: str) -> list[CommandRecord]:
        with self._commands_lock:
            records = [r for r in self.command_log.values() if r.command.run_id == run_id]
        return sorted(records, key=lambda r: (r.command.ts, r.command.id))

    def command_record(self, command_id: str) -> CommandRecord | None:
        with self._commands_lock:
            return self.command_log.get(command_id)

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        return None


class FailingStore(MemoryStore):
    """Fault injection: ``record_order`` raises :class:`StoreError` (database down) — from
    the first call, or after ``after`` calls that succeeded (a store that dies mid-run,
    e.g. between a bracket's entry and its children)."""

    def __init__(self, after: int = 0) -> None:
        super().__init__()
        self.after = after
        self.order_writes = 0
        """``record_order`` calls so far, failed ones included."""

    def record_order(self, run_id: str, order: Order) -> None:
        self.order_writes += 1
        if self.order_writes > self.after:
            raise StoreError("database is locked", "injected by FailingStore")
        super().record_order(run_id, order)
