"""The peers' standard case, in-project: SMA(10/30) cross, long-only, all-in, next-open fills,
0.1 % fee per side. The kernel must reproduce an independent numpy implementation of the
case exactly — same trades at the same bars and prices, final equity to 1e-9 relative —
including on prices with exact SMA ties (tick-grid prices make them common)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.kernel_builder import CASH, FEE, daily, kernel_trades, tick_series
from tradebot.backtest.vectorized import sma_cross_backtest


def reference(open_: np.ndarray, close: np.ndarray) -> tuple[list[int], list[int], float]:
    """Entries and exits (bar of the fill) and final equity, signals exact in integer cents."""
    cents = np.round(close * 100).astype(np.int64)
    sums = np.concatenate(([0], np.cumsum(cents)))
    diff = np.zeros(len(close), dtype=np.int64)
    fast, slow = sums[10:] - sums[:-10], sums[30:] - sums[:-30]
    diff[29:] = 30 * fast[20:] - 10 * slow  # 300 × (SMA10 − SMA30), exact
    entries, exits, cash, units, last = [], [], CASH, 0.0, 0
    for t in range(29, len(close)):
        sign = int(np.sign(diff[t]))
        if sign == 0:
            continue
        crossed, last = last != 0 and sign != last, sign
        if not crossed or t + 1 >= len(close):
            continue
        price = float(open_[t + 1])
        if sign > 0 and units == 0.0:
            units, cash = cash / (price * (1 + FEE)), 0.0
            entries.append(t + 1)
        elif sign < 0 and units > 0.0:
            cash, units = units * price * (1 - FEE), 0.0
            exits.append(t + 1)
    return entries, exits, cash + units * float(close[-1])


def run_kernel(open_: np.ndarray, close: np.ndarray) -> tuple[list[int], list[int], float]:
    trades = kernel_trades("sma_cross", {"fast": 10, "slow": 30}, open_, close)
    return trades.entries, trades.exits, trades.equity


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31), n=st.integers(min_value=40, max_value=600))
def test_the_kernel_trades_exactly_like_the_reference(seed: int, n: int) -> None:
    open_, close = tick_series(seed, n)
    want_entries, want_exits, want_equity = reference(open_, close)
    entries, exits, equity = run_kernel(open_, close)
    assert entries == want_entries
    assert exits == want_exits
    assert equity == pytest.approx(want_equity, rel=1e-9)
    fast = sma_cross_backtest(open_, close, fee=FEE, cash=CASH)
    assert fast.entries.tolist() == want_entries
    assert fast.exits.tolist() == want_exits
    assert fast.final_equity == pytest.approx(want_equity, rel=1e-9)


def test_exact_ties_neither_create_nor_hide_crosses() -> None:
    open_, close = tick_series(7, 5000)
    cents = np.round(close * 100).astype(np.int64)
    sums = np.concatenate(([0], np.cumsum(cents)))
    ties = int(np.sum(30 * (sums[10:] - sums[:-10])[20:] == 10 * (sums[30:] - sums[:-30])))
    assert ties > 0, "the series must contain exact SMA ties for this test to mean anything"
    entries, exits, _ = run_kernel(open_, close)
    assert len(entries) > 20
    assert (entries, exits) == reference(open_, close)[:2]
    fast = sma_cross_backtest(open_, close, fee=FEE, cash=CASH)
    assert (fast.entries.tolist(), fast.exits.tolist()) == (entries, exits)


@pytest.mark.parametrize("symbol", ["AAPL", "MSFT", "JPM", "XOM", "TSLA", "KO"])
def test_the_vectorised_path_agrees_with_the_kernel_on_real_bars(symbol: str) -> None:
    open_, close = daily(symbol)
    entries, exits, equity = run_kernel(open_, close)
    fast = sma_cross_backtest(open_, close, fee=FEE, cash=CASH)
    assert len(entries) > 10
    assert fast.entries.tolist() == entries
    assert fast.exits.tolist() == exits
    assert fast.final_equity == pytest.approx(equity, rel=1e-9)
