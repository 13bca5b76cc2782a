"""The vectorised research path: signals in bulk, fills from a loop over trades only.

For parameter sweeps, where the event-driven kernel's per-bar work is wasted. Indicators are
computed over whole arrays (causal, so still free of look-ahead) with the streaming
indicators' own floating-point operations, opinions and ensemble filtering are elementwise,
and :func:`simulate` turns them into the kernel's all-in, long-only, next-open trades. Tests
hold every strategy here to the kernel trade for trade on the bundled market data.

    from tradebot.backtest.vectorized import vector_backtest
    result = vector_backtest("macd", opens, closes, {"fast": 8, "slow": 21})
"""

from __future__ import annotations

import numpy.typing as npt

from tradebot.backtest.vectorized.fills import VectorResult, simulate, simulate_all_in
from tradebot.backtest.vectorized.macd import macd_histogram, macd_signals
from tradebot.backtest.vectorized.mean_reversion import rsi_signals, rsi_values
from tradebot.backtest.vectorized.registry import (
    VECTORISED,
    VectorStrategy,
    vector_backtest,
    vector_params,
    vector_signals,
)
from tradebot.backtest.vectorized.sma_cross import cross_signals

__all__ = [
    "VECTORISED",
    "VectorResult",
    "VectorStrategy",
    "cross_signals",
    "macd_histogram",
    "macd_signals",
    "rsi_signals",
    "rsi_values",
    "simulate",
    "simulate_all_in",
    "sma_cross_backtest",
    "vector_backtest",
    "vector_params",
    "vector_signals",
]


def sma_cross_backtest(
    open_: npt.ArrayLike,
    close: npt.ArrayLike,
    fast: int = 10,
    slow: int = 30,
    *,
    fee: float = 0.001,
    cash: float = 100_000.0,
    tick: float = 0.01,
) -> VectorResult:
    """The standard case end to end: SMA cross signals, then the all-in fill loop."""
    up, down = cross_signals(close, fast, slow, tick=tick)
    return simulate(open_, close, up, down, fee=fee, cash=cash)
