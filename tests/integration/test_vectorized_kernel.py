"""The vectorised research path trades exactly like the event-driven kernel.

For ``sma_cross``, ``mean_reversion`` and ``macd``: the same entry and exit bars at the same
prices, and the same final equity to 1e-9 relative, on the daily bars shipped in the package
(several symbols and parameter sets, the kernel's default ensemble threshold and a threshold
of 0 that lets every opinion through) and on random tick-grid prices with flat stretches
(hypothesis). The kernel is built as ``tradebot backtest ... risk.sizing=all_in`` runs the
standard case: all-in, at most one position, commission 0.001, no slippage, one symbol.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import CASH, FEE, Trades, daily, kernel_trades, tick_series
from tradebot.backtest.vectorized import vector_backtest
from tradebot.signals.ensemble import DEFAULT_THRESHOLD


def assert_same_trades(
    strategy: str,
    params: dict[str, Any],
    open_: np.ndarray,
    close: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch: bool = True,
) -> Trades:
    want = kernel_trades(strategy, params, open_, close, threshold=threshold, batch=batch)
    got = vector_backtest(strategy, open_, close, params, fee=FEE, cash=CASH, threshold=threshold)
    assert got.entries.tolist() == want.entries
    assert got.exits.tolist() == want.exits
    assert got.entry_prices.tolist() == want.entry_prices
    assert got.exit_prices.tolist() == want.exit_prices
    assert got.final_equity == pytest.approx(want.equity, rel=1e-9)
    return want


REAL_CASES = [
    ("sma_cross", {"fast": 10, "slow": 30}, DEFAULT_THRESHOLD, 10),
    ("sma_cross", {"fast": 5, "slow": 60}, DEFAULT_THRESHOLD, 5),
    ("mean_reversion", {}, 0.0, 3),
    ("mean_reversion", {"period": 2, "oversold": 20.0, "overbought": 80.0}, DEFAULT_THRESHOLD, 20),
    ("mean_reversion", {"period": 7, "oversold": 35.0, "overbought": 60.0}, 0.0, 10),
    ("macd", {}, DEFAULT_THRESHOLD, 20),
    ("macd", {"fast": 5, "slow": 35, "signal": 5}, DEFAULT_THRESHOLD, 20),
    ("macd", {"fast": 3, "slow": 10, "signal": 16}, 0.8, 5),
]


@pytest.mark.parametrize("symbol", ["AAPL", "JPM", "TSLA", "KO", "XOM"])
@pytest.mark.parametrize(("strategy", "params", "threshold", "min_trades"), REAL_CASES)
def test_the_vectorised_path_trades_like_the_kernel_on_real_bars(
    symbol: str, strategy: str, params: dict[str, Any], threshold: float, min_trades: int
) -> None:
    open_, close = daily(symbol)
    trades = assert_same_trades(strategy, params, open_, close, threshold=threshold)
    assert len(trades.entries) >= min_trades, "too few trades for the comparison to mean much"


@pytest.mark.parametrize("strategy", ["sma_cross", "mean_reversion", "macd"])
def test_the_per_bar_kernel_path_agrees_too(strategy: str) -> None:
    open_, close = daily("MSFT")
    trades = assert_same_trades(strategy, {}, open_, close, threshold=0.0, batch=False)
    assert len(trades.entries) >= 3


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    n=st.integers(min_value=2, max_value=500),
    flat=st.sampled_from([0.0, 0.3, 0.8]),
    strategy=st.sampled_from(["mean_reversion", "macd", "sma_cross"]),
    threshold=st.sampled_from([0.0, DEFAULT_THRESHOLD]),
)
def test_the_vectorised_path_trades_like_the_kernel_on_tick_grid_prices(
    seed: int, n: int, flat: float, strategy: str, threshold: float
) -> None:
    params: dict[str, dict[str, Any]] = {
        "mean_reversion": {"period": 5, "oversold": 35.0, "overbought": 65.0},
        "macd": {"fast": 3, "slow": 8, "signal": 4},
        "sma_cross": {"fast": 3, "slow": 9},
    }
    open_, close = tick_series(seed, n, flat)
    assert_same_trades(strategy, params[strategy], open_, close, threshold=threshold)
