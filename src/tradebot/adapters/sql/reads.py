"""Reading back what was recorded, as domain objects (for tests, the CLI and crash restart).

Reads see only what has been flushed: a batching store's buffer is invisible here, as it
is to any other connection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tradebot.adapters.sql import mapping, risk_tables
from tradebot.adapters.sql.connect import store_error
from tradebot.adapters.sql.mapping import RunRecord
from tradebot.adapters.sql.models import (
    ArticleRow,
    ClosedTradeRow,
    DecisionRow,
    FillRow,
    OrderRow,
    PositionRow,
    ReconciliationRow,
    RiskEventRow,
    RunRow,
    SentimentRow,
    SignalRow,
    SnapshotRow,
    StrategyRow,
)
from tradebot.adapters.sql.types import to_utc
from tradebot.domain.enums import Mode
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
from tradebot.risk.events import RiskEvent

__all__ = ["ReconciliationRecord", "StoreReads"]

_T = TypeVar("_T")
_R = TypeVar("_R")


class ReconciliationRecord(NamedTuple):
    """One reconciliation of a live session with its venue, as recorded."""

    run_id: str
    ts: datetime
    ok: bool
    applied: int
    external_orders: list[dict[str, Any]]
    external_positions: dict[str, Any]
    differences: list[str]


def _reconciliation_from(row: ReconciliationRow) -> ReconciliationRecord:
    return ReconciliationRecord(
        row.run_id,
        to_utc(row.ts),
        row.ok,
        row.applied,
        list(row.external_orders),
        dict(row.external_positions),
        [str(line) for line in row.differences],
    )


class StoreReads:
    """Read methods over ``self._engine``; the store adds the writing half."""

    _engine: Engine
    _url: str

    @contextmanager
    def session(self) -> Iterator[Session]:
        """An ORM session for ad-hoc queries: committed on success, rolled back on error."""
        try:
            with Session(self._engine) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise store_error(exc, self._url, "query") from exc

    def _all(self, query: Select[_R], convert: Callable[[_R], _T]) -> list[_T]:
        with self.session() as session:
            return [convert(row) for row in session.scalars(query)]

    def run(self, run_id: str) -> RunRecord | None:
        """The run with this id, with its status and metrics; ``None`` if unknown."""
        with self.session() as session:
            row = session.get(RunRow, run_id)
            return None if row is None else mapping.run_from(row)

    def runs(self, *, mode: Mode | str | None = None, limit: int = 20) -> list[RunRecord]:
        """The most recent runs first (of ``mode``, if given)."""
        query = select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(limit)
        if mode is not None:
            query = query.where(RunRow.mode == Mode(mode).value)
        return self._all(query, mapping.run_from)

    def latest_run_id(self, mode: Mode | str | None = None) -> str | None:
        """The most recently started run (of ``mode``, if given); ``None`` if there is none."""
        query = select(RunRow.id).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)
        if mode is not None:
            query = query.where(RunRow.mode == Mode(mode).value)
        with self.session() as session:
            return session.scalar(query)

    def signals(self, run_id: str) -> list[Signal]:
        query = select(SignalRow).where(SignalRow.run_id == run_id)
        return self._all(query.order_by(SignalRow.ts, SignalRow.id), mapping.signal_from)

    def decisions(self, run_id: str) -> list[TradingDecision]:
        query = select(DecisionRow).where(DecisionRow.run_id == run_id)
        return self._all(query.order_by(DecisionRow.ts, DecisionRow.id), mapping.decision_from)

    def orders(self, run_id: str) -> list[Order]:
        query = select(OrderRow).where(OrderRow.run_id == run_id)
        order = (OrderRow.created_at, OrderRow.client_order_id)
        return self._all(query.order_by(*order), mapping.order_from)

    def fills(self, run_id: str) -> list[Fill]:
        query = select(FillRow).where(FillRow.run_id == run_id)
        return self._all(query.order_by(FillRow.ts, FillRow.fill_id), mapping.fill_from)

    def closed_trades(self, run_id: str) -> list[ClosedTrade]:
        query = select(ClosedTradeRow).where(ClosedTradeRow.run_id == run_id)
        order = (ClosedTradeRow.exit_ts, ClosedTradeRow.id)
        return self._all(query.order_by(*order), mapping.closed_trade_from)

    def snapshots(self, run_id: str) -> list[PortfolioSnapshot]:
        query = select(SnapshotRow).where(SnapshotRow.run_id == run_id)
        return self._all(query.order_by(SnapshotRow.ts), mapping.snapshot_from)

    def recent_decisions(
        self, *, symbol: str | None = None, run_id: str | None = None, limit: int = 20
    ) -> list[TradingDecision]:
        """The newest decisions first (about ``symbol``, of run ``run_id``), at most ``limit``."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = select(DecisionRow).order_by(DecisionRow.ts.desc(), DecisionRow.id.desc())
        if symbol is not None:
            query = query.where(DecisionRow.symbol == symbol.upper())
        if run_id is not None:
            query = query.where(DecisionRow.run_id == run_id)
        return self._all(query.limit(limit), mapping.decision_from)

    def risk_events(self, run_id: str, kind: str | None = None) -> list[RiskEvent]:
        """The run's risk history records (of ``kind``, e.g. ``"breaker"``), oldest first."""
        query = select(RiskEventRow).where(RiskEventRow.run_id == run_id)
        if kind is not None:
            query = query.where(RiskEventRow.kind == kind)
        order = (RiskEventRow.ts, RiskEventRow.kind, RiskEventRow.id)
        return self._all(query.order_by(*order), risk_tables.event_from)

    def positions(self, run_id: str) -> list[Position]:
        """The run's open positions as last saved (what a restart rebuilds the ledger from)."""
        query = select(PositionRow).where(PositionRow.run_id == run_id)
        return self._all(query.order_by(PositionRow.symbol), mapping.position_from)

    def article(self, content_hash: str) -> Article | None:
        with self.session() as session:
            row = session.scalar(select(ArticleRow).where(ArticleRow.content_hash == content_hash))
            return None if row is None else mapping.article_from(row)

    def sentiments(self, content_hash: str) -> list[ScoredArticle]:
        """Every score recorded for the article with this hash, by ticker then model."""
        article = self.article(content_hash)
        if article is None:
            return []
        query = (
            select(SentimentRow)
            .where(SentimentRow.article_hash == content_hash)
            .order_by(SentimentRow.ticker, SentimentRow.model)
        )
        with self.session() as session:
            return [mapping.sentiment_from(row, article) for row in session.scalars(query)]

    def scored_news(
        self,
        *,
        ticker: str | None = None,
        since: datetime | None = None,
        run_id: str | None = None,
        limit: int = 50,
    ) -> list[ScoredArticle]:
        """Scored news items, newest first (then by ticker and model): about ``ticker``,
        published at or after ``since``, scored by run ``run_id``, at most ``limit``.

        A story's score for a ticker and model is stored once, under the run that scored
        it first, so a later run over the same news finds its items under that first run.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        query = (
            select(SentimentRow, ArticleRow)
            .join(ArticleRow, ArticleRow.content_hash == SentimentRow.article_hash)
            .order_by(
                ArticleRow.published_at.desc(),
                ArticleRow.id.desc(),
                SentimentRow.ticker,
                SentimentRow.model,
            )
            .limit(limit)
        )
        if ticker is not None:
            query = query.where(SentimentRow.ticker == ticker.upper())
        if since is not None:
            query = query.where(ArticleRow.published_at >= since)
        if run_id is not None:
            query = query.where(SentimentRow.run_id == run_id)
        with self.session() as session:
            return [
                mapping.sentiment_from(score, mapping.article_from(article))
                for score, article in session.execute(query).tuples()
            ]

    def strategy_weights(self, *, active_only: bool = True) -> dict[str, float]:
        """Current weight of each (active) strategy, by name."""
        query = select(StrategyRow.name, StrategyRow.weight).order_by(StrategyRow.name)
        if active_only:
            query = query.where(StrategyRow.active.is_(True))
        with self.session() as session:
            return {name: weight for name, weight in session.execute(query)}

    def reconciliations(self, run_id: str) -> list[ReconciliationRecord]:
        """The run's reconciliations with its venue, oldest first."""
        query = select(ReconciliationRow).where(ReconciliationRow.run_id == run_id)
        order = (ReconciliationRow.ts, ReconciliationRow.id)
        return self._all(query.order_by(*order), _reconciliation_from)
