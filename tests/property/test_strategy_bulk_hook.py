"""Every built-in strategy's bulk hook ``on_bars`` answers exactly as ``on_bar`` bar by bar.

The kernel's batch path relies on it: same opinions (direction, strength, confidence and
reason, compared exactly) at the same bars, and the same state afterwards, however the
bars are cut into blocks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.domain import Bar, Timeframe
from tradebot.domain.batch import SymbolBars, epoch_nanoseconds
from tradebot.strategies.base import BatchStrategy, Opinion, Strategy, StrategyContext
from tradebot.strategies.registry import load_registry, make_factory
from tradebot.strategies.volume_profile import histograms, profiles, value_area

REGISTRY = load_registry(plugins=False)
SEEDS = st.integers(0, 2**32 - 1)
LENGTHS = st.integers(0, 400)
"""Bars in a generated series (a few hundred: many windows and block cuts, fast)."""
CUTS = st.lists(st.integers(0, 400), max_size=6)
"""Where the series is cut into blocks for ``on_bars``."""
PARAMS: dict[str, dict[str, Any]] = {
    "sma_cross": {"fast": 3, "slow": 7},
    "ema_cross": {"fast": 3, "slow": 7},
    "macd": {"fast": 3, "slow": 7, "signal": 3},
    "mean_reversion": {"period": 5},
    "bollinger": {"period": 5, "k": 1.0, "min_bandwidth": 0.0},
    "grid": {"band": 0.03, "levels": 7},
    "volume_profile": {"window": 10, "bins": 5},
    "momentum": {"period": 4, "volume_period": 3},
    "vwap": {"threshold": 0.002, "min_session_bars": 2},
}
BULK = sorted(
    name
    for name in REGISTRY.names()
    if hasattr(make_factory(name, PARAMS.get(name, {}), registry=REGISTRY)("X"), "on_bars")
)
MORE: list[tuple[str, dict[str, Any]]] = [  # other corners of the same hooks
    ("grid", {"lower": 99.0, "upper": 101.0, "levels": 5}),
    ("grid", {"band": 0.001, "levels": 2}),
    ("mean_reversion", {"period": 2, "oversold": 45.0, "overbought": 55.0}),
    ("bollinger", {"period": 3, "k": 0.5, "min_bandwidth": 0.001}),
    ("bollinger", {"period": 2, "k": 3.0, "min_bandwidth": 0.0}),
    ("macd", {"fast": 1, "slow": 2, "signal": 1}),
    ("ema_cross", {"fast": 1, "slow": 2}),
    ("momentum", {"period": 2, "volume_period": 1, "volume_factor": 0.0}),
]
CASES = [(name, PARAMS.get(name, {})) for name in BULK] + MORE
T0 = datetime(2022, 1, 3, tzinfo=UTC)
CTX = StrategyContext("X")  # none of the strategies with a hook reads it


def _bulk(strategy: Strategy) -> BatchStrategy:
    """The strategy as the batch path sees it (it must have the hook)."""
    assert isinstance(strategy, BatchStrategy)
    return strategy


def test_the_close_price_strategies_have_the_hook() -> None:
    assert set(PARAMS) <= set(BULK)


def test_every_built_in_has_the_hook() -> None:
    """``news`` answers nothing on a block: the batch path has no news source, so its
    context is empty there (``test_batch_path`` covers the per-bar branch with hooks
    hidden, as a plugin without one)."""
    assert set(BULK) == set(REGISTRY.names())


@dataclass(frozen=True)
class _Series:
    """Bars as columns with their close times; ``bar(i)`` is bar ``i`` as ``on_bar`` sees it."""

    close: np.ndarray
    high: np.ndarray
    low: np.ndarray
    volume: np.ndarray
    times: list[datetime]

    @classmethod
    def minutes(
        cls, close: np.ndarray, high: np.ndarray, low: np.ndarray, volume: np.ndarray
    ) -> _Series:
        return cls(close, high, low, volume, [T0 + timedelta(minutes=i) for i in range(len(close))])

    def bar(self, i: int) -> Bar:
        c = float(self.close[i])
        return Bar(
            "X", Timeframe.M1, self.times[i], c, float(self.high[i]), float(self.low[i]), c,
            float(self.volume[i]),
        )  # fmt: skip


def _compare(
    name: str, params: dict[str, Any], series: _Series, n: int, cuts: list[int]
) -> tuple[Strategy, BatchStrategy]:
    """The first ``n`` bars through ``on_bar`` one by one and through ``on_bars`` in blocks
    cut at ``cuts`` (each block with the bars' own times): the same opinions at the same
    bars. Returns both instances, for the caller to check the state they were left in."""
    factory = make_factory(name, params, registry=REGISTRY)
    one, bulk = factory("X"), _bulk(factory("X"))
    expected = [(i, op) for i in range(n) if (op := one.on_bar(series.bar(i), CTX)) is not None]
    ts = np.array([epoch_nanoseconds(t) for t in series.times[:n]], dtype=np.int64)
    got: list[tuple[int, Opinion]] = []
    for lo, hi in itertools.pairwise(sorted({0, n, *(c for c in cuts if c <= n)})):
        block = SymbolBars(
            "X", Timeframe.M1, np.arange(hi - lo, dtype=np.int64), ts[lo:hi],
            series.close[lo:hi], series.high[lo:hi], series.low[lo:hi], series.close[lo:hi],
            series.volume[lo:hi],
        )  # fmt: skip
        got.extend((lo + j, op) for j, op in bulk.on_bars(block))
    assert got == expected
    return one, bulk


@pytest.mark.parametrize(("name", "params"), CASES)
@settings(max_examples=120, deadline=None)
@given(
    moves=st.lists(st.just(0) | st.integers(-30, 30), min_size=0, max_size=250),
    cuts=st.lists(st.integers(0, 250), max_size=40),
)
def test_on_bars_equals_on_bar(
    name: str, params: dict[str, Any], moves: list[int], cuts: list[int]
) -> None:
    _check(name, params, moves, cuts)


@pytest.mark.parametrize(("name", "params"), CASES)
@settings(max_examples=60, deadline=None)
@given(
    seed=SEEDS,
    n=st.integers(1, 400),
    p_flat=st.sampled_from([0.0, 0.2, 0.6]),
    blocks=st.integers(1, 60),
)
def test_on_bars_equals_on_bar_on_long_series(
    name: str, params: dict[str, Any], seed: int, n: int, p_flat: float, blocks: int
) -> None:
    """Long series cut into many blocks (hypothesis's own lists are mostly short, past
    few warm-ups): blocks then start inside flat runs, excursions and right at crosses."""
    rng = np.random.default_rng(seed)
    moves = rng.integers(-30, 31, n) * (rng.random(n) >= p_flat)
    cuts = rng.integers(0, n + 1, blocks)
    _check(name, params, moves.tolist(), cuts.tolist())


def _check(name: str, params: dict[str, Any], moves: list[int], cuts: list[int]) -> None:
    """``on_bars`` over ``moves``' closes cut at ``cuts`` against ``on_bar`` bar by bar."""
    ticks, closes = 10_000, []
    for move in moves:  # a 0.01 tick grid with flat stretches: exact ties happen
        ticks = max(ticks + move, 100)
        closes.append(ticks / 100)
    column = np.array(closes, dtype=np.float64)
    one, bulk = _compare(
        name, params, _Series.minutes(column, column, column, column), len(closes), cuts
    )
    tail = Bar("X", Timeframe.M1, T0, 123.45, 123.45, 123.45, 123.45, 1.0)
    assert bulk.on_bar(tail, CTX) == one.on_bar(tail, CTX)


@settings(max_examples=150, deadline=None)
@given(
    seed=SEEDS,
    n=LENGTHS,
    cuts=CUTS,
    window=st.integers(10, 40),
    bins=st.integers(5, 30),
)
def test_volume_profile_bulk_equals_stream_on_full_bars(
    seed: int, n: int, cuts: list[int], window: int, bins: int
) -> None:
    """Distinct highs, lows and volumes (the generic test above has them all equal to the
    close): the typical price and the volume weights are binned the same, bit for bit."""
    rng = np.random.default_rng(seed)
    close = np.round(100 + np.cumsum(rng.normal(0, 0.5, n)), 2)
    high = close + np.round(rng.uniform(0, 1, n), 2)
    low = close - np.round(rng.uniform(0, 1, n), 2)
    volume = np.round(rng.lognormal(8, 1, n))
    params = {"window": window, "bins": bins}
    series = _Series.minutes(close, high, low, volume)
    one, bulk = _compare("volume_profile", params, series, n, cuts)
    tail = Bar("X", Timeframe.M1, T0, 101.0, 102.5, 99.5, 101.0, 5000.0)
    assert bulk.on_bar(tail, CTX) == one.on_bar(tail, CTX)


@settings(max_examples=150, deadline=None)
@given(
    seed=SEEDS,
    n=LENGTHS,
    cuts=CUTS,
    period=st.integers(2, 30),
    volume_period=st.integers(1, 30),
    factor=st.sampled_from([0.0, 0.5, 1.0, 1.5, 3.0]),
)
def test_momentum_bulk_equals_stream_with_real_volumes(
    seed: int,
    n: int,
    cuts: list[int],
    period: int,
    volume_period: int,
    factor: float,
) -> None:
    """Volumes apart from the close (the generic test has them equal), zero-volume bars
    included: the entry's volume check reads the same average of the bars before."""
    rng = np.random.default_rng(seed)
    close = np.round(100 + np.cumsum(rng.normal(0, 0.3, n)), 2)
    volume = np.round(rng.lognormal(8, 1, n)) * (rng.random(n) < 0.9)
    params = {"period": period, "volume_period": volume_period, "volume_factor": factor}
    one, bulk = _compare("momentum", params, _Series.minutes(close, close, close, volume), n, cuts)
    for tail in (0.0, 1e9):
        bar = Bar("X", Timeframe.M1, T0, 123.45, 123.45, 123.45, 123.45, tail)
        assert bulk.on_bar(bar, CTX) == one.on_bar(bar, CTX)


@settings(max_examples=120, deadline=None)
@given(
    seed=SEEDS,
    n=st.integers(0, 600),
    cuts=st.lists(st.integers(0, 600), max_size=8),
    step_minutes=st.sampled_from([1, 7, 30, 180]),
    zone=st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo", "Australia/Adelaide"]),
    min_bars=st.integers(1, 12),
    threshold=st.sampled_from([0.0005, 0.002, 0.01]),
)
def test_vwap_bulk_equals_stream_across_sessions(
    seed: int,
    n: int,
    cuts: list[int],
    step_minutes: int,
    zone: str,
    min_bars: int,
    threshold: float,
) -> None:
    """Full OHLCV bars, zero-volume ones included, over many sessions of several zones
    (DST changes among them: the bars start on 2022-03-10): the same session labels, VWAP
    sums and stretches; afterwards both go on bar by bar identically (the same state)."""
    rng = np.random.default_rng(seed)
    total = n + 40
    close = np.round(100 + np.cumsum(rng.normal(0, 0.3, total)), 2)
    high = close + np.round(rng.uniform(0, 0.5, total), 2)
    low = close - np.round(rng.uniform(0, 0.5, total), 2)
    volume = np.round(rng.lognormal(6, 1, total)) * (rng.random(total) < 0.85)
    start = datetime(2022, 3, 10, 22, 0, tzinfo=UTC)
    times = [start + timedelta(minutes=step_minutes * i) for i in range(total)]
    params = {"threshold": threshold, "min_session_bars": min_bars, "session_tz": zone}
    series = _Series(close, high, low, volume, times)
    one, bulk = _compare("vwap", params, series, n, cuts)
    for i in range(n, total):
        assert bulk.on_bar(series.bar(i), CTX) == one.on_bar(series.bar(i), CTX)


@settings(max_examples=200, deadline=None)
@given(
    seed=SEEDS,
    first=st.integers(0, 500),
    rows=st.integers(1, 120),
    window=st.integers(10, 40),
    bins=st.integers(5, 30),
    share=st.sampled_from([0.3, 0.7, 0.95]),
    tick=st.sampled_from([0.0, 0.25]),
)
def test_volume_profiles_are_the_ring_buffers_value_areas(
    seed: int, first: int, rows: int, window: int, bins: int, share: float, tick: float
) -> None:
    """``profiles`` against ``value_area`` of the streaming ring buffer itself (sample ``s``
    in slot ``s % window``), row by row and bit for bit, with fractional volumes (so a bin's
    total depends on the order its volumes are added in) and, with a coarse ``tick``, many
    equal bins (so the value area's ties are taken as the stream takes them)."""
    rng = np.random.default_rng(seed)
    n = rows + window
    prices = 100 + np.cumsum(rng.normal(0, 0.5, n))
    if tick:
        prices = np.round(prices / tick) * tick
    volumes = rng.lognormal(3, 1, n) * rng.choice([0.1, 1.0, 3.3], n)
    volumes[rng.random(n) < 0.2] *= 1e12  # large and small in one bin: order shows
    ring = np.zeros(window)
    ring_volumes = np.zeros(window)
    expected, binned = [], []
    for k in range(n):
        if k >= window:
            expected.append(value_area(ring, ring_volumes, bins, share))
            lo, hi = ring.min(), ring.max()
            if not hi - lo <= 1e-12 * hi:  # the streaming binning, as value_area does it
                index = np.minimum(((ring - lo) * (bins / (hi - lo))).astype(np.intp), bins - 1)
                binned.append(np.bincount(index, weights=ring_volumes, minlength=bins))
        ring[(first + k) % window] = prices[k]
        ring_volumes[(first + k) % window] = volumes[k]
    _, _, _, hist = histograms(prices, volumes, first, window, bins)
    assert hist.tobytes() == np.array(binned).reshape(-1, bins).tobytes()
    assert profiles(prices, volumes, first, window, bins, share) == expected
