"""The learning engine's records in SQL: trade outcomes and weight adjustments.

Mixed into :class:`~tradebot.adapters.sql.store.SqlStore`. Every call is its own
transaction, committed before it returns whatever the store's batch size (a backtest
closes a few hundred trades, not millions of bars), so an adjustment and the strategies
table it moves are durable together or not at all:

- ``record_trade_outcome`` inserts or ignores (a trade evaluated twice is one row);
- ``record_weight_adjustment`` appends one row and, with ``apply``, sets the strategy's
  weight in ``strategies`` and appends to its ``strategy_weight_history`` in the same
  transaction (an unknown strategy is registered first, active).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.models import (
    StrategyRow,
    TradeOutcomeRow,
    WeightAdjustmentRow,
    WeightChangeRow,
)
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.errors import StoreError
from tradebot.learning import TradeOutcome, WeightChange

__all__ = ["LearningRows", "WeightAdjustment", "outcome_from_row", "outcome_row"]


class WeightAdjustment(NamedTuple):
    """One recorded weight change (``run_id`` None: a user's reset)."""

    run_id: str | None
    ts: datetime
    strategy: str
    old: float
    new: float
    reward: float
    outcomes: int
    clipped_by: str | None
    policy: str
    shadow: bool
    reason: str


def outcome_row(run_id: str, outcome: TradeOutcome) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "trade_id": outcome.trade_id,
        "symbol": outcome.symbol,
        "entry_decision_id": outcome.entry_decision_id,
        "signal_id": outcome.signal_id,
        "closed_at": to_utc(outcome.closed_at),
        "pnl": Decimal(outcome.pnl),
        "return_pct": float(outcome.return_pct),
        "hold_seconds": float(outcome.hold_seconds),
        "risk_adjusted": float(outcome.risk_adjusted),
        "contributions": {k: float(v) for k, v in outcome.contributions.items()},
        "direction": int(outcome.direction),
    }


def outcome_from_row(row: TradeOutcomeRow) -> TradeOutcome:
    return TradeOutcome(
        trade_id=row.trade_id,
        symbol=row.symbol,
        entry_decision_id=row.entry_decision_id,
        signal_id=row.signal_id,
        closed_at=to_utc(row.closed_at),
        pnl=row.pnl,
        return_pct=row.return_pct,
        hold_seconds=row.hold_seconds,
        risk_adjusted=row.risk_adjusted,
        contributions={str(k): float(v) for k, v in row.contributions.items()},
        direction=row.direction,
    )


def _adjustment_from(row: WeightAdjustmentRow) -> WeightAdjustment:
    return WeightAdjustment(
        row.run_id,
        to_utc(row.ts),
        row.strategy,
        row.old_weight,
        row.new_weight,
        row.reward,
        row.outcomes,
        row.clipped_by,
        row.policy,
        row.shadow,
        row.reason,
    )


class LearningRows:
    """Learning's writes and reads over ``self._engine`` (see the module docstring)."""

    _engine: Engine
    _url: str
    _insert: Callable[..., Any]

    def _check_open(self) -> None:  # pragma: no cover - the store's own is used
        raise NotImplementedError

    def record_trade_outcome(self, run_id: str, outcome: TradeOutcome) -> None:
        self._check_open()
        try:
            row = outcome_row(run_id, outcome)
        except ValueError as exc:
            raise StoreError(f"cannot record outcome of {outcome.trade_id!r}: {exc}", "") from exc
        table = TradeOutcomeRow.__table__
        assert isinstance(table, Table)
        statement = self._insert(table).values(row).on_conflict_do_nothing()
        try:
            with self._engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"recording outcome of {outcome.trade_id!r}") from exc

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
        """Append the adjustment; with ``apply`` (never for a shadow) also move the
        strategy's weight in the strategies table, in the same transaction."""
        self._check_open()
        try:
            when = to_utc(ts)
        except ValueError as exc:
            raise StoreError(f"cannot record weight of {change.strategy!r}: {exc}", "") from exc
        try:
            with Session(self._engine) as session, session.begin():
                session.add(
                    WeightAdjustmentRow(
                        run_id=run_id,
                        ts=when,
                        strategy=change.strategy,
                        old_weight=float(change.old),
                        new_weight=float(change.new),
                        reward=float(change.reward),
                        outcomes=int(change.outcomes),
                        clipped_by=change.clipped_by,
                        policy=change.policy,
                        shadow=shadow,
                        reason=reason,
                    )
                )
                if apply and not shadow:
                    _set_weight(session, change.strategy, float(change.new), when, change.policy)
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, f"recording weight of {change.strategy!r}") from exc

    def trade_outcomes(self, run_id: str) -> list[TradeOutcome]:
        """The run's evaluated trades, in the order they closed."""
        query = (
            select(TradeOutcomeRow)
            .where(TradeOutcomeRow.run_id == run_id)
            .order_by(TradeOutcomeRow.closed_at, TradeOutcomeRow.trade_id)
        )
        with Session(self._engine) as session:
            try:
                return [outcome_from_row(row) for row in session.scalars(query)]
            except SQLAlchemyError as exc:
                raise store_error(exc, self._url, "query") from exc

    def weight_adjustments(
        self, run_id: str | None = None, strategy: str | None = None
    ) -> list[WeightAdjustment]:
        """Recorded adjustments (of run ``run_id``, of ``strategy``), oldest first."""
        query = select(WeightAdjustmentRow).order_by(WeightAdjustmentRow.ts, WeightAdjustmentRow.id)
        if run_id is not None:
            query = query.where(WeightAdjustmentRow.run_id == run_id)
        if strategy is not None:
            query = query.where(WeightAdjustmentRow.strategy == strategy)
        with Session(self._engine) as session:
            try:
                return [_adjustment_from(row) for row in session.scalars(query)]
            except SQLAlchemyError as exc:
                raise store_error(exc, self._url, "query") from exc


def _set_weight(session: Session, name: str, weight: float, ts: datetime, policy: str) -> None:
    row = session.scalar(select(StrategyRow).where(StrategyRow.name == name).with_for_update())
    if row is None:
        row = StrategyRow(name=name, description="", weight=weight, active=True)
        session.add(row)
        session.flush()
    session.add(
        WeightChangeRow(
            strategy_id=row.id,
            old_weight=row.weight,
            new_weight=weight,
            ts=ts,
            reason=f"learning: {policy}",
        )
    )
    row.weight = weight
