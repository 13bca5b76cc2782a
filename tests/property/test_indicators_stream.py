"""Property: every streaming indicator, fed bar by bar, returns what its batch twin returns.

Series are multiplicative random walks, on a tick grid (exact ties and flat windows happen)
or unrounded, at several price levels and volatilities (down to 1e-9 per bar, where windows
are flat to eight digits), with gaps (-60 % .. +65 %) and flat stretches. Tolerance: 1e-9
relative, or 1e-9 of the series' scale for values near 0 (MACD crossing zero, an
oscillator at 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tradebot.indicators as ind
from tradebot.indicators import stream

Array = np.ndarray[Any, Any]
RTOL = 1e-9
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Bars:
    """OHLCV columns plus session labels, as float64 arrays."""

    def __init__(
        self, close: list[float], up: list[float], down: list[float], spec: str = ""
    ) -> None:
        self.spec = spec
        self.close = np.array(close, dtype=float)
        opens = np.r_[self.close[:1], self.close[:-1]]
        self.high = np.maximum(opens, self.close) + np.array(up)
        self.low = np.minimum(opens, self.close) - np.array(down)
        self.scale = float(np.abs(np.r_[self.high, self.low]).max())

    def __repr__(self) -> str:
        return f"Bars({self.spec})"


@st.composite
def bars_strategy(draw: st.DrawFn) -> Bars:
    """Random OHLC paths: hypothesis picks the regime, a seeded generator fills the bars.

    Drawing hundreds of floats one by one through hypothesis is slow; the regime knobs
    (length, tick grid or not, level, volatility, how often prices gap or stay flat) are
    what matter for the twins' agreement, so those are hypothesis draws.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = draw(st.integers(1, 300))
    tick = draw(st.sampled_from([0.0, 0.01, 0.05, 0.25, 1.0, 1e-4]))  # 0.0: unrounded
    level = draw(st.sampled_from([0.5, 3.0, 20.0, 100.0, 150.0, 4000.0]))
    vol = draw(st.sampled_from([1e-9, 1e-4, 2e-3, 2e-2]))
    p_gap = draw(st.sampled_from([0.0, 0.02, 0.1]))
    p_flat = draw(st.sampled_from([0.0, 0.05, 0.3]))
    returns = rng.normal(0.0, vol, size)
    gaps = rng.random(size) < p_gap
    returns[gaps] = rng.uniform(-0.9, 0.5, gaps.sum())  # down to -60 %, up to +65 %
    # Flat stretches: a run starts with probability p_flat and lasts 1..40 bars.
    i = 0
    while i < size:
        if rng.random() < p_flat:
            run = int(rng.integers(1, 41))
            returns[i : i + run] = 0.0
            i += run
        else:
            i += 1
    close = level * np.exp(np.cumsum(returns))
    spread_up = close * rng.uniform(0.0, 5.0 * vol, size) * (rng.random(size) < 0.8)
    spread_down = close * rng.uniform(0.0, 5.0 * vol, size) * (rng.random(size) < 0.8)
    if tick:
        close = np.maximum(np.round(close / tick), 1.0) * tick
        spread_up = np.round(spread_up / tick) * tick
        spread_down = np.round(spread_down / tick) * tick
    flat = returns == 0.0
    spread_up[flat & (rng.random(size) < 0.5)] = 0.0
    spread_down[flat & (rng.random(size) < 0.5)] = 0.0
    spec = f"{seed=}, {size=}, {tick=}, {level=}, {vol=}, {p_gap=}, {p_flat=}"
    return Bars(close.tolist(), spread_up.tolist(), spread_down.tolist(), spec)


any_bars = bars_strategy()
period = st.integers(1, 30)


def replay(obj: Any, *columns: Array) -> Array:
    rows = zip(*(c.tolist() for c in columns), strict=True)
    return np.array([obj.update(*row) for row in rows], dtype=float).reshape(len(columns[0]), -1)


def assert_twins(streamed: Array, batch: Any, scale: float) -> None:
    batch = batch if isinstance(batch, tuple) else (batch,)
    assert streamed.shape[1] == len(batch)
    for j, expected in enumerate(batch):
        got = streamed[:, j]
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=RTOL * scale, equal_nan=True)


@SETTINGS
@given(bars=any_bars, n=period)
def test_sma(bars: Bars, n: int) -> None:
    assert_twins(replay(stream.SMA(n), bars.close), ind.sma(bars.close, n), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period)
def test_ema(bars: Bars, n: int) -> None:
    assert_twins(replay(stream.EMA(n), bars.close), ind.ema(bars.close, n), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period)
def test_rsi(bars: Bars, n: int) -> None:
    assert_twins(replay(stream.RSI(n), bars.close), ind.rsi(bars.close, n), 100.0)


@SETTINGS
@given(bars=any_bars, fast=period, slow=period, signal=st.integers(1, 12))
def test_macd(bars: Bars, fast: int, slow: int, signal: int) -> None:
    streamed = replay(stream.MACD(fast, slow, signal), bars.close)
    assert_twins(streamed, ind.macd(bars.close, fast, slow, signal), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period, k=st.sampled_from([0.0, 0.5, 1.0, 2.0, 2.5, 3.0]))
def test_bollinger(bars: Bars, n: int, k: float) -> None:
    streamed = replay(stream.Bollinger(n, k), bars.close)
    assert_twins(streamed, ind.bollinger(bars.close, n, k), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period)
def test_atr(bars: Bars, n: int) -> None:
    streamed = replay(stream.ATR(n), bars.high, bars.low, bars.close)
    assert_twins(streamed, ind.atr(bars.high, bars.low, bars.close, n), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period)
def test_adx(bars: Bars, n: int) -> None:
    streamed = replay(stream.ADX(n), bars.high, bars.low, bars.close)
    assert_twins(streamed, ind.adx(bars.high, bars.low, bars.close, n), 100.0)


@SETTINGS
@given(bars=any_bars, k=period, d=st.integers(1, 10))
def test_stoch(bars: Bars, k: int, d: int) -> None:
    streamed = replay(stream.Stoch(k, d), bars.high, bars.low, bars.close)
    assert_twins(streamed, ind.stoch(bars.high, bars.low, bars.close, k, d), 100.0)


@SETTINGS
@given(bars=any_bars, volume=st.lists(st.integers(0, 10**6), min_size=300, max_size=300))
def test_obv(bars: Bars, volume: list[int]) -> None:
    v = np.array(volume[: len(bars.close)], dtype=float)
    streamed = replay(stream.OBV(), bars.close, v)
    assert_twins(streamed, ind.obv(bars.close, v), max(float(v.sum()), 1.0))


@SETTINGS
@given(
    bars=any_bars,
    volume=st.lists(st.integers(0, 10**6), min_size=300, max_size=300),
    runs=st.lists(st.integers(1, 60), min_size=1, max_size=300),
    labels=st.lists(st.integers(-3, 3), min_size=300, max_size=300),
)
def test_vwap(bars: Bars, volume: list[int], runs: list[int], labels: list[int]) -> None:
    size = len(bars.close)
    v = np.array(volume[:size], dtype=float)
    session = np.repeat(labels[: len(runs)], runs)[:size]
    if len(session) < size:
        session = np.r_[session, np.full(size - len(session), 99)]
    streamed = replay(stream.VWAP(), bars.high, bars.low, bars.close, v, session)
    assert_twins(streamed, ind.vwap(bars.high, bars.low, bars.close, v, session), bars.scale)


@SETTINGS
@given(bars=any_bars, n=period)
def test_flat_tail_settles_exactly_like_ta_lib(bars: Bars, n: int) -> None:
    # After any history, a long flat stretch: RSI, ADX and Stoch reach TA-Lib's flat-market
    # values and the Bollinger bands collapse onto the price, in both twins.
    flat = np.full(4 * n + 400, bars.close[-1])
    close = np.r_[bars.close, flat]
    high = np.r_[bars.high, flat]
    low = np.r_[bars.low, flat]
    upper, middle, lower = ind.bollinger(close, n, 2.0)
    streamed = replay(stream.Bollinger(n), close)
    assert upper[-1] == middle[-1] == lower[-1]
    assert streamed[-1, 0] == streamed[-1, 1] == streamed[-1, 2]
    # TA-Lib's running sum keeps a residue of the history's scale; so may ours until rebuilt.
    assert abs(middle[-1] - close[-1]) <= 1e-12 * bars.scale
    assert abs(streamed[-1, 1] - close[-1]) <= 1e-12 * bars.scale
    assert_twins(replay(stream.RSI(n), close), ind.rsi(close, n), 100.0)
    assert_twins(replay(stream.ADX(n), high, low, close), ind.adx(high, low, close, n), 100.0)
    assert ind.stoch(high, low, close, n, 3)[0][-1] == 0.0
    assert not math.isnan(ind.adx(high, low, close, n)[-1])
