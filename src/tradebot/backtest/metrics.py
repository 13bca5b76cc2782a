"""Summary metrics of a run, from its equity curve and its closed trades.

Conventions follow empyrical: returns are simple daily returns of the equity curve resampled
to its last value per UTC day; Sharpe is ``mean / std(ddof=1) × sqrt(periods_per_year)``
with a zero risk-free rate; max drawdown is the most negative ``equity / running peak − 1``.
The backtester issue extends this module and checks it against empyrical to 1e-9.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.domain.messages import ClosedTrade

__all__ = ["daily_returns", "max_drawdown", "sharpe", "summarise"]

FloatArray = npt.NDArray[np.float64]


def daily_returns(ts: Sequence[datetime], equity: Sequence[float]) -> FloatArray:
    """Simple returns between the last equity value of consecutive UTC days."""
    if not ts:
        return np.empty(0)
    last: dict[object, float] = {}
    for t, e in zip(ts, equity, strict=True):
        last[t.date()] = e
    values = np.fromiter(last.values(), dtype=np.float64)
    return values[1:] / values[:-1] - 1.0


def sharpe(returns: FloatArray, periods_per_year: int) -> float:
    if returns.size < 2:
        return math.nan
    std = float(np.std(returns, ddof=1))
    if std == 0.0:
        return math.nan
    return float(np.mean(returns)) / std * math.sqrt(periods_per_year)


def max_drawdown(equity: Sequence[float]) -> float:
    """Most negative fall from a running peak, as a fraction (0.0 when never under water)."""
    if not equity:
        return 0.0
    values = np.asarray(equity, dtype=np.float64)
    peaks = np.maximum.accumulate(values)
    return float(np.min(values / peaks - 1.0))


def summarise(
    ts: Sequence[datetime],
    equity: Sequence[float],
    trades: Sequence[ClosedTrade],
    initial_cash: float,
    periods_per_year: int,
) -> dict[str, Any]:
    final = equity[-1] if equity else initial_cash
    wins = sum(1 for t in trades if t.pnl > 0)
    return {
        "initial_equity": initial_cash,
        "final_equity": final,
        "total_return": final / initial_cash - 1.0,
        "trades": len(trades),
        "win_rate": wins / len(trades) if trades else math.nan,
        "max_drawdown": max_drawdown(equity),
        "sharpe": sharpe(daily_returns(ts, equity), periods_per_year),
        "start": ts[0].isoformat() if ts else None,
        "end": ts[-1].isoformat() if ts else None,
    }
