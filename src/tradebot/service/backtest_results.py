"""A finished (or running) backtest as the database holds it: its run, a page of its closed
trades, its equity curve — read with the read side's own readers (:mod:`.queries`), so a
backtest shows exactly what ``/api/runs``, ``/api/trades`` and the portfolio history show of
the same run, and one started by the CLI the same as one started over the API.

There is one conversion of a stored run or trade to what the API shows: :mod:`.queries`'.
This module only chooses the reads (backtest runs only, trades in the order they closed, the
whole curve thinned).
"""

from __future__ import annotations

from typing import Final

from tradebot.service.queries.base import NotFoundError, Paged, Reader
from tradebot.service.queries.portfolio import EquityPoint, equity_history
from tradebot.service.queries.runs import RunDetail, RunFilter, RunSummary, get_run, list_runs
from tradebot.service.queries.trades import TradeFilter, TradeView, list_trades

__all__ = ["MAX_POINTS", "BacktestResults"]

MAX_POINTS: Final = 2000
"""An equity curve longer than this is thinned evenly (its last point always kept)."""
_BACKTESTS = RunFilter(mode="backtest")
_EVERY_TRADE = TradeFilter()


def _no_default() -> str | None:
    """A backtest is always named: there is no default run to fall back on."""
    return None


class BacktestResults:
    """Reads of backtest runs through ``reader`` (a failure is one ``StoreError`` line)."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader

    def run(self, run_id: str) -> RunDetail | None:
        """The run in full (any mode; the caller checks it is a backtest), None if unknown."""
        try:
            return get_run(self._reader, run_id)
        except NotFoundError:
            return None

    def backtests(self, limit: int, offset: int) -> Paged[RunSummary]:
        """Backtest runs, newest first, and how many there are."""
        return list_runs(self._reader, _BACKTESTS, limit, offset)

    def trades(self, run_id: str, limit: int, offset: int) -> Paged[TradeView]:
        """The run's closed trades in the order they closed, and how many there are."""
        return list_trades(
            self._reader, run_id, _no_default, _EVERY_TRADE, limit, offset, oldest_first=True
        )

    def equity(self, run_id: str) -> list[EquityPoint]:
        """The run's whole equity curve, oldest first, thinned to :data:`MAX_POINTS`."""
        return equity_history(self._reader, run_id, _no_default, "ALL", MAX_POINTS).points
