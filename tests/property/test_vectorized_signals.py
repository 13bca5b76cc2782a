"""The vectorised indicators and signals are the streaming ones, bit for bit.

``recurrence.solve`` must be the sequential loop whatever the guess and block size;
``rsi_values`` and ``macd_histogram`` must equal the streaming ``RSI`` and ``MACD`` exactly
(not to a tolerance: one ulp can move a threshold or a tie); the signals must be the
streaming strategy's opinions after a one-strategy ensemble; ``simulate`` must be the
per-bar all-in book.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.backtest.vectorized import (
    macd_histogram,
    rsi_values,
    simulate,
    vector_params,
    vector_signals,
)
from tradebot.backtest.vectorized.recurrence import ema_step, solve, wilder_step
from tradebot.domain.enums import Direction
from tradebot.indicators import stream
from tradebot.signals.ensemble import DEFAULT_THRESHOLD, combine
from tradebot.strategies import make_factory

SEEDS = st.integers(min_value=0, max_value=2**31)


def prices(seed: int, n: int, flat: float, grid: bool) -> np.ndarray:
    """A random walk near 50: on a 0.01 grid or not, a fraction ``flat`` of closes unchanged."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.05, n) * (rng.random(n) >= flat)
    if grid:
        return np.maximum(np.round(50 + np.cumsum(np.round(steps, 2)), 2), 0.01)
    return 50 * np.exp(np.cumsum(steps / 50))


def price_series() -> st.SearchStrategy[np.ndarray]:
    return st.builds(
        prices,
        SEEDS,
        st.integers(min_value=0, max_value=1500),
        st.sampled_from([0.0, 0.2, 0.9]),
        st.booleans(),
    )


def sequential(kind: str, n: int, seed: float, inputs: list[float]) -> list[float]:
    """The streaming classes' recurrences written out with Python floats."""
    out, prev = [], seed
    k = 2.0 / (n + 1)
    for x in inputs:
        prev = (x - prev) * k + prev if kind == "ema" else (prev * (n - 1) + x) / n
        out.append(prev)
    return out


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["ema", "wilder"]),
    n=st.integers(min_value=1, max_value=60),
    values=st.lists(st.floats(min_value=0, max_value=1e6), max_size=400),
    block=st.integers(min_value=1, max_value=70),
    guess=st.sampled_from(["none", "zeros", "noise", "exact"]),
    seed=SEEDS,
)
def test_solve_is_the_sequential_loop_whatever_the_guess(
    kind: str, n: int, values: list[float], block: int, guess: str, seed: int
) -> None:
    if kind == "wilder" and n == 1:
        n = 2
    inputs = np.array(values, dtype=np.float64)
    start = values[0] if values else 1.0
    want = sequential(kind, n, start, values)
    guesses = {
        "none": None,
        "zeros": np.zeros(len(values)),
        "noise": np.array(want) * (1 + 1e-9 * np.random.default_rng(seed).normal(size=len(want))),
        "exact": np.array(want),
    }
    step = ema_step(n) if kind == "ema" else wilder_step(n)
    got = solve(step, start, inputs, guesses[guess], block=block)
    assert got.tolist() == want


@settings(max_examples=40, deadline=None)
@given(close=price_series(), period=st.integers(min_value=2, max_value=40))
def test_rsi_values_are_the_streaming_rsi(close: np.ndarray, period: int) -> None:
    rsi = stream.RSI(period)
    want = np.array([rsi.update(x) for x in close.tolist()])
    assert np.array_equal(rsi_values(close, period), want, equal_nan=True)


@settings(max_examples=40, deadline=None)
@given(
    close=price_series(),
    fast=st.integers(min_value=1, max_value=15),
    gap=st.integers(min_value=1, max_value=30),
    signal=st.integers(min_value=1, max_value=20),
)
def test_macd_histogram_is_the_streaming_macd(
    close: np.ndarray, fast: int, gap: int, signal: int
) -> None:
    macd = stream.MACD(fast, fast + gap, signal)
    want = np.array([macd.update(x)[2] for x in close.tolist()])
    assert np.array_equal(macd_histogram(close, fast, fast + gap, signal), want, equal_nan=True)


def streaming_signals(
    name: str, params: dict[str, object], close: np.ndarray, threshold: float
) -> tuple[list[int], list[int]]:
    """Bars where the streaming strategy, alone in the kernel's ensemble, signals LONG/SHORT."""
    strategy = make_factory(name, params)("SYM")
    long, short = [], []
    for i, x in enumerate(close.tolist()):
        opinion = strategy.on_close(x)  # type: ignore[attr-defined]
        result = combine([(name, opinion)], {}, threshold=threshold) if opinion else None
        if result is not None:
            (long if result.direction is Direction.LONG else short).append(i)
    return long, short


STRATEGY_PARAMS = st.one_of(
    st.tuples(
        st.just("mean_reversion"),
        st.fixed_dictionaries(
            {
                "period": st.integers(min_value=2, max_value=20),
                "oversold": st.sampled_from([20.0, 30.0, 45.0]),
                "overbought": st.sampled_from([55.0, 70.0, 85.0]),
            }
        ),
    ),
    st.tuples(
        st.just("macd"),
        st.fixed_dictionaries(
            {
                "fast": st.integers(min_value=1, max_value=6),
                "slow": st.integers(min_value=7, max_value=20),
                "signal": st.integers(min_value=1, max_value=9),
            }
        ),
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    strategy=STRATEGY_PARAMS,
    close=price_series(),
    threshold=st.sampled_from([0.0, 0.1, DEFAULT_THRESHOLD, 0.55, 0.8]),
)
def test_signals_are_the_streaming_opinions_through_the_ensemble(
    strategy: tuple[str, dict[str, object]], close: np.ndarray, threshold: float
) -> None:
    name, params = strategy
    long, short = vector_signals(name, close, params, threshold=threshold)
    want_long, want_short = streaming_signals(name, params, close, threshold)
    assert np.flatnonzero(long).tolist() == want_long
    assert np.flatnonzero(short).tolist() == want_short


def per_bar_book(
    opens: np.ndarray, closes: np.ndarray, long: np.ndarray, short: np.ndarray, fee: float
) -> tuple[list[int], list[int], float]:
    """The decision stage's all-in rules, one bar at a time."""
    cash, units, entries, exits = 100_000.0, 0.0, [], []
    for t in range(len(closes) - 1):
        if long[t] and units == 0.0:
            units, cash = cash / (opens[t + 1] * (1.0 + fee)), 0.0
            entries.append(t + 1)
        elif short[t] and not long[t] and units > 0.0:
            cash, units = units * opens[t + 1] * (1.0 - fee), 0.0
            exits.append(t + 1)
    return entries, exits, cash + units * closes[-1] if len(closes) else cash


@settings(max_examples=60, deadline=None)
@given(
    seed=SEEDS,
    n=st.integers(min_value=0, max_value=300),
    density=st.sampled_from([0.02, 0.3, 0.9]),
    fee=st.sampled_from([0.0, 0.001]),
)
def test_simulate_is_the_per_bar_all_in_book(seed: int, n: int, density: float, fee: float) -> None:
    rng = np.random.default_rng(seed)
    closes = np.round(50 + np.cumsum(rng.normal(0, 0.5, n)), 2).clip(0.01)
    opens = np.round(closes * (1 + rng.normal(0, 0.002, n)), 2).clip(0.01)
    long = rng.random(n) < density / 2
    short = rng.random(n) < density / 2  # both on one bar: the long wins, as in simulate
    got = simulate(opens, closes, long, short, fee=fee)
    entries, exits, equity = per_bar_book(opens, closes, long, short, fee)
    assert got.entries.tolist() == entries
    assert got.exits.tolist() == exits
    assert got.entry_prices.tolist() == opens[entries].tolist()
    assert got.exit_prices.tolist() == opens[exits].tolist()
    assert got.final_equity == equity
    assert got.open_position == (len(entries) > len(exits))


def test_default_parameters_are_the_shipped_ones() -> None:
    assert vector_params("macd").model_dump() == {"fast": 12, "slow": 26, "signal": 9}
    assert vector_params("mean_reversion", {"period": "7"}).model_dump() == {
        "period": 7,
        "oversold": 30.0,
        "overbought": 70.0,
    }
