"""The vectorised research path trades exactly like the event-driven kernel.

For ``sma_cross``, ``mean_reversion`` and ``macd``: the same entry and exit bars at the same
prices, and the same final equity to 1e-9 relative, on the daily bars shipped in the package
(several symbols and parameter sets, the kernel's default ensemble threshold and a threshold
of 0 that lets every opinion through) and on random tick-grid prices with flat stretches
(hypothesis). The kernel is built as ``tradebot backtest ... risk.sizing=all_in`` runs the
standard case: all-in, at most one position, commission 0.001, no slippage, one symbol.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.backtest.vectorized import vector_backtest
from tradebot.data import sample_data_dir
from tradebot.domain import Bar, Mode, Timeframe
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, SimClock, SizingRules
from tradebot.signals.ensemble import DEFAULT_THRESHOLD
from tradebot.strategies import make_factory
from tradebot.testing import FixedSentiment, ListFeed, MemoryStore, RecordingBroker

FEE = 0.001
CASH = 100_000.0
START = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Trades:
    entries: list[int]
    entry_prices: list[float]
    exits: list[int]
    exit_prices: list[float]
    equity: float


def kernel_trades(
    strategy: str,
    params: dict[str, Any],
    open_: np.ndarray,
    close: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch: bool = True,
) -> Trades:
    times = [START + timedelta(minutes=i) for i in range(len(close))]
    bars = [
        Bar("SYM", Timeframe.M1, ts, o, max(o, c), min(o, c), c, 1.0)
        for ts, o, c in zip(times, open_.tolist(), close.tolist(), strict=True)
    ]
    store = MemoryStore()
    kernel = Kernel(
        run=RunInfo(
            id="vec",
            mode=Mode.BACKTEST,
            started_at=START,
            strategy=strategy,
            symbols=("SYM",),
            timeframe=Timeframe.M1,
        ),
        clock=SimClock(),
        feed=ListFeed(bars),
        news=None,
        broker=RecordingBroker(commission_rate=Decimal(str(FEE))),
        bus=MemoryBus(),
        store=store,
        strategies=[make_factory(strategy, params)],
        sentiment=FixedSentiment(0.0, 0.0, name="placeholder"),
        rules=SizingRules(
            position_fraction=Decimal(1),
            max_open_positions=1,
            cash_buffer=Decimal(0),
            commission_rate=Decimal(str(FEE)),
            all_in=True,
        ),
        initial_cash=Decimal(str(CASH)),
        threshold=threshold,
        batch=batch,
    )
    result = kernel.run()
    index = {ts: i for i, ts in enumerate(times)}
    fills = sorted(store.fills.values(), key=lambda f: f.ts)
    buys = [f for f in fills if f.side.value == "buy"]
    sells = [f for f in fills if f.side.value == "sell"]
    return Trades(
        [index[f.ts] for f in buys],
        [float(f.price) for f in buys],
        [index[f.ts] for f in sells],
        [float(f.price) for f in sells],
        result.equity[-1],
    )


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


def daily(symbol: str) -> tuple[np.ndarray, np.ndarray]:
    feed = ParquetReplayFeed(sample_data_dir("equities_daily"), [symbol], Timeframe.D1)
    frame = feed.frame(symbol)
    return frame["open"].to_numpy(), frame["close"].to_numpy()


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


def tick_series(seed: int, n: int, flat: float) -> tuple[np.ndarray, np.ndarray]:
    """Closes on a 0.01 grid, a fraction ``flat`` of them unchanged (RSI's flat-market rule
    and exact MACD ties come up), opens near the previous close."""
    rng = np.random.default_rng(seed)
    steps = np.round(rng.normal(0, 0.05, n), 2) * (rng.random(n) >= flat)
    close = np.maximum(np.round(50 + np.cumsum(steps), 2), 0.01)
    open_ = np.maximum(
        np.round(np.concatenate(([50.0], close[:-1])) + rng.normal(0, 0.01, n), 2), 0.01
    )
    return open_, close


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
