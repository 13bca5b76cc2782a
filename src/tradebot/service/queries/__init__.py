"""The read side of every view: runs, portfolio, trades, signals, strategies, news,
decisions and performance, for the API and the CLI alike.

:class:`Queries` is the facade; each view lives in its own module and returns plain frozen
dataclasses (money as ``Decimal``, times UTC) that a front end maps one to one. Lists page
in SQL, newest first, with the total counted under the same filters. Every view of a run
takes ``run_id=None`` for the default run (:func:`.runs.resolve_run`); an unknown run, trade,
decision or strategy raises :class:`NotFoundError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine

from tradebot.service.queries import (
    decisions,
    metrics,
    news,
    portfolio,
    runs,
    signals,
    strategies,
    trades,
)
from tradebot.service.queries.base import NotFoundError, Paged, Reader
from tradebot.service.queries.decisions import DecisionDetail, DecisionFilter, DecisionView
from tradebot.service.queries.metrics import DailyRow, PerformanceView, RunFigures
from tradebot.service.queries.news import NewsFilter, NewsItem
from tradebot.service.queries.portfolio import EquityHistory, PortfolioOverview, PositionView
from tradebot.service.queries.runs import RunDetail, RunFilter, RunSummary
from tradebot.service.queries.signals import SignalFilter, SignalView
from tradebot.service.queries.strategies import StrategyHistory, StrategyMetrics, StrategyView
from tradebot.service.queries.trades import TradeDetail, TradeFilter, TradeView

__all__ = [
    "DecisionFilter",
    "NewsFilter",
    "NotFoundError",
    "Paged",
    "Queries",
    "RunFilter",
    "SignalFilter",
    "TradeFilter",
]


class Queries:
    """Every read of the views over ``db``; ``current_run`` names the run the engine host
    drives (None when it drives none), the default of every view."""

    def __init__(
        self, db: Engine, current_run: Callable[[], str | None], *, fresh_for_s: float = 0.0
    ) -> None:
        """``fresh_for_s``: how far behind the store a view may be (``api.read_cache_ms``)."""
        self._db = db
        self._current_run = current_run
        self._reader = Reader(db, fresh_for_s=fresh_for_s)
        self._figures = RunFigures(self._reader)
        self._descriptions: dict[str, str] | None = None

    def _described(self) -> dict[str, str]:
        if self._descriptions is None:
            self._descriptions = strategies.builtin_descriptions()
        return self._descriptions

    # runs
    def runs(self, where: RunFilter, limit: int, offset: int) -> Paged[RunSummary]:
        return runs.list_runs(self._reader, where, limit, offset)

    def run(self, run_id: str) -> RunDetail:
        return runs.get_run(self._reader, run_id)

    # portfolio
    def portfolio(self, run_id: str | None = None) -> PortfolioOverview:
        return portfolio.overview(self._reader, run_id, self._current_run)

    def positions(self, run_id: str | None = None) -> tuple[str, list[PositionView]]:
        return portfolio.positions(self._reader, run_id, self._current_run)

    def open_micro_positions(self, run_id: str | None = None) -> int:
        """How many of the run's open positions are micro trades."""
        return sum(1 for p in self.positions(run_id)[1] if p.micro)

    def equity_history(
        self, run_id: str | None = None, period: str = "ALL", max_points: int = 1000
    ) -> EquityHistory:
        return portfolio.equity_history(self._reader, run_id, self._current_run, period, max_points)

    # trades, signals, decisions, news
    def trades(
        self, run_id: str | None, where: TradeFilter, limit: int, offset: int
    ) -> Paged[TradeView]:
        return trades.list_trades(self._reader, run_id, self._current_run, where, limit, offset)

    def trade(self, trade_id: str, run_id: str | None = None) -> TradeDetail:
        return trades.get_trade(self._reader, run_id, self._current_run, trade_id)

    def signals(
        self, run_id: str | None, where: SignalFilter, limit: int, offset: int
    ) -> Paged[SignalView]:
        return signals.list_signals(self._reader, run_id, self._current_run, where, limit, offset)

    def decisions(
        self, run_id: str | None, where: DecisionFilter, limit: int, offset: int
    ) -> Paged[DecisionView]:
        return decisions.list_decisions(
            self._reader, run_id, self._current_run, where, limit, offset
        )

    def decision(self, decision_id: str, run_id: str | None = None) -> DecisionDetail:
        return decisions.get_decision(self._reader, run_id, self._current_run, decision_id)

    def news(
        self, run_id: str | None, where: NewsFilter, limit: int, offset: int
    ) -> Paged[NewsItem]:
        return news.list_news(self._reader, run_id, self._current_run, where, limit, offset)

    # strategies
    def strategies(self, run_id: str | None = None) -> tuple[str, list[StrategyView]]:
        return strategies.list_strategies(
            self._reader, self._figures, run_id, self._current_run, self._described
        )

    def strategy_history(
        self, name: str, run_id: str | None = None, limit: int = 100, offset: int = 0
    ) -> StrategyHistory:
        return strategies.strategy_history(
            self._reader, run_id, self._current_run, name, limit, offset
        )

    def strategy_metrics(
        self, name: str, bucket: str = "week", run_id: str | None = None
    ) -> StrategyMetrics:
        return strategies.strategy_metrics(
            self._reader, self._figures, run_id, self._current_run, name, bucket
        )

    # performance
    def performance(self, run_id: str | None = None) -> PerformanceView:
        return metrics.performance(self._reader, self._figures, run_id, self._current_run)

    def daily_history(
        self,
        run_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Paged[DailyRow]:
        return metrics.daily_history(
            self._reader, self._figures, run_id, self._current_run, start, end, limit, offset
        )
