"""A store that keeps nothing: ``store.url: none``, for backtests whose results are only
wanted as reports (research sweeps, benchmarks against engines that persist nothing).

The run still produces its summary, trades, equity curve and report files; no signal,
decision, order or fill is written anywhere. Strategy weights are the defaults (equal
shares), as for a fresh database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

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
from tradebot.ports import RiskCheckpoint, StateDocument
from tradebot.risk.events import RiskEvent

__all__ = ["NO_STORE", "DiscardingStore"]

NO_STORE = "none"
"""The ``store.url`` that selects this store."""


class DiscardingStore:
    """:class:`~tradebot.ports.Store` that accepts every record and keeps none."""

    def start_run(self, run: RunInfo) -> None:
        return None

    def finish_run(
        self, run_id: str, status: str, finished_at: datetime, metrics: dict[str, Any]
    ) -> None:
        return None

    def record_article(self, run_id: str, article: Article) -> None:
        return None

    def record_sentiment(self, run_id: str, scored: ScoredArticle) -> None:
        return None

    def record_signal(self, run_id: str, signal: Signal) -> None:
        return None

    def record_decision(self, run_id: str, decision: TradingDecision) -> None:
        return None

    def record_order(self, run_id: str, order: Order) -> None:
        return None

    def record_fill(self, run_id: str, fill: Fill) -> None:
        return None

    def record_closed_trade(self, run_id: str, trade: ClosedTrade) -> None:
        return None

    def record_snapshot(self, run_id: str, snapshot: PortfolioSnapshot) -> None:
        return None

    def save_positions(self, run_id: str, positions: Sequence[Position]) -> None:
        return None

    def load_weights(self, names: Sequence[str]) -> dict[str, float]:
        return {name: 1.0 / len(names) for name in names} if names else {}

    def save_risk_state(self, run_id: str, as_of: datetime, state: StateDocument) -> None:
        return None

    def load_risk_state(self, run_id: str) -> RiskCheckpoint | None:
        return None

    def record_risk_events(self, run_id: str, events: Sequence[RiskEvent]) -> None:
        return None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None
