"""Metrics of a backtest, from its equity curve and its closed trades.

- :mod:`.ratios`: Sharpe, Sortino, Calmar, annual return and volatility, max drawdown,
  alpha and beta over periodic returns, equal to empyrical's (tests hold them to 1e-9).
- :mod:`.curve`: daily and monthly returns, the longest drawdown, exposure; vectorised,
  because a minute-bar run hands over a million points.
- :mod:`.trades`: win rate, profit factor, expectancy, average and largest win and loss,
  holding time, and P&L attribution per strategy.
- :mod:`.summary`: :func:`summarise`, all of it as one JSON-ready dict for a finished run.

All pure functions: no I/O, no clock.
"""

from tradebot.backtest.metrics.curve import (
    DrawdownSpell,
    MonthlyRow,
    daily_returns,
    exposure,
    longest_drawdown,
    monthly_returns,
)
from tradebot.backtest.metrics.ratios import (
    alpha,
    alpha_beta,
    annual_return,
    annual_volatility,
    beta,
    calmar,
    downside_risk,
    max_drawdown,
    sharpe,
    sortino,
)
from tradebot.backtest.metrics.summary import summarise
from tradebot.backtest.metrics.trades import (
    UNATTRIBUTED,
    StrategyShare,
    TradeStats,
    strategy_attribution,
    trade_stats,
)

__all__ = [
    "UNATTRIBUTED",
    "DrawdownSpell",
    "MonthlyRow",
    "StrategyShare",
    "TradeStats",
    "alpha",
    "alpha_beta",
    "annual_return",
    "annual_volatility",
    "beta",
    "calmar",
    "daily_returns",
    "downside_risk",
    "exposure",
    "longest_drawdown",
    "max_drawdown",
    "monthly_returns",
    "sharpe",
    "sortino",
    "strategy_attribution",
    "summarise",
    "trade_stats",
]
