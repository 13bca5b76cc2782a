"""``SMA.update_many`` is ``update`` in a loop, bit for bit, whatever the block boundaries."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.indicators.stream import SMA

prices = st.one_of(
    st.integers(1, 100_000).map(lambda t: t / 100),  # a tick grid: exact ties happen
    st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False),
)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 40),
    values=st.lists(prices, min_size=0, max_size=300),
    cuts=st.lists(st.integers(0, 300), max_size=6),
)
def test_update_many_equals_update_one_at_a_time(
    n: int, values: list[float], cuts: list[int]
) -> None:
    one, bulk = SMA(n), SMA(n)
    expected = [one.update(v) for v in values]
    got: list[float] = []
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    for lo, hi in itertools.pairwise(bounds):
        got.extend(bulk.update_many(np.array(values[lo:hi], dtype=np.float64)).tolist())
    assert len(got) == len(expected)
    assert all(_same(a, b) for a, b in zip(got, expected, strict=True))
    # and the state carries on identically
    for v in (101.0, 99.5, 100.25):
        assert _same(bulk.update(v), one.update(v))


def test_update_many_on_an_empty_block_changes_nothing() -> None:
    sma = SMA(3)
    sma.update(1.0)
    assert len(sma.update_many(np.array([], dtype=np.float64))) == 0
    assert math.isnan(sma.update(2.0)) and sma.update(3.0) == 2.0


@settings(max_examples=300, deadline=None)
@given(
    base=st.floats(1e-6, 1e9, allow_nan=False, allow_infinity=False),
    spread=st.floats(1.0, 200.0),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=400),
    n=st.integers(1, 64),
    ticks=st.booleans(),
)
def test_window_sums_in_bulk_equal_fsum(
    base: float, spread: float, fractions: list[float], n: int, ticks: bool
) -> None:
    """The bulk exact sums (a narrow range: the int64 path; otherwise fsum) are fsum's."""
    from tradebot.indicators.stream.averages import _window_fsums

    values = [base * (1.0 + (spread - 1.0) * f) for f in fractions]
    if ticks:
        values = [round(v, 2) or 0.01 for v in values]
    data = np.array(values + [0.0] * n, dtype=np.float64)
    starts = np.arange(0, len(values), dtype=np.intp)
    expected = [math.fsum(data[s : s + n]) for s in starts]
    assert _window_fsums(data, n, starts).tolist() == expected
