"""Down-sampling keeps what a reader looks for: the extremes, the ends, the time order."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.backtest.report import MAX_POINTS, downsample, downsample_indices


def test_a_million_points_become_at_most_two_thousand_keeping_min_and_max() -> None:
    rng = np.random.default_rng(7)
    y = 100_000 + np.cumsum(rng.normal(0, 50, 1_000_000))
    y[123_457] = y.min() - 5_000  # a one-point crash: striding would miss it
    y[876_543] = y.max() + 5_000
    x = np.arange(y.size, dtype=np.int64) * 60 * 10**9
    started = time.perf_counter()
    xs, ys = downsample(x, y)
    elapsed = time.perf_counter() - started
    assert len(xs) <= MAX_POINTS
    assert ys.min() == y.min() and ys.max() == y.max()
    assert 123_457 * 60 * 10**9 in xs and 876_543 * 60 * 10**9 in xs
    assert xs[0] == x[0] and xs[-1] == x[-1]
    assert np.all(np.diff(xs) > 0)
    assert elapsed < 1.0


def test_short_curves_are_kept_whole() -> None:
    assert downsample_indices([3.0, 1.0, 2.0], 10).tolist() == [0, 1, 2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=3_000),
    st.integers(min_value=4, max_value=400),
)
def test_every_bucket_keeps_its_extremes(values: list[float], most: int) -> None:
    y = np.array(values)
    keep = downsample_indices(y, most)
    assert keep.size <= most
    assert np.all(np.diff(keep) > 0)
    assert keep[0] == 0 and keep[-1] == y.size - 1
    assert y[keep].min() == y.min() and y[keep].max() == y.max()


def test_non_finite_points_are_never_chosen_as_extremes() -> None:
    y = np.concatenate([np.full(5_000, np.nan), np.linspace(0, 1, 5_000)])
    keep = downsample_indices(y, 100)
    inner = keep[1:-1]
    assert np.isfinite(y[inner]).all()
    assert y[keep][np.isfinite(y[keep])].max() == 1.0


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 4"):
        downsample_indices([1.0] * 10, 3)
    with pytest.raises(ValueError, match="x values"):
        downsample([1, 2], [1.0])
