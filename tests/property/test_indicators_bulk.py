"""Every streaming indicator's ``update_many`` is ``update`` in a loop, bit for bit, and
leaves the same state, whatever the block boundaries (EMA, MACD, RSI, Bollinger; the SMA's
has its own test in ``test_sma_bulk``).

The series are ``test_indicators_stream``'s regimes: tick grids with exact ties and flat
stretches, unrounded walks, gaps that trigger the Bollinger bands' exact rebuild, and
volatilities down to 1e-9 per bar. Values are compared exactly (NaN equal to NaN).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.property.test_indicators_stream import Bars, bars_strategy
from tradebot.indicators import stream

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAKERS: dict[str, Callable[[int], Any]] = {
    "ema": stream.EMA,
    "rsi": stream.RSI,
    "macd": lambda n: stream.MACD(max(1, n // 3), n + 1, max(1, n // 2)),
    "bollinger": lambda n: stream.Bollinger(n, 2.0),
    "bollinger_k0": lambda n: stream.Bollinger(n, 0.0),
    "macd_histogram": lambda n: _Histogram(stream.MACD(max(1, n // 3), n + 1, max(1, n // 2))),
}


class _Histogram:
    """``MACD.histogram_many`` under the names the test calls, against ``update``'s third
    value."""

    def __init__(self, macd: stream.MACD) -> None:
        self.macd = macd

    def update(self, value: float) -> float:
        return self.macd.update(value)[2]

    def update_many(self, values: Any) -> Any:
        return self.macd.histogram_many(values)


TAIL = (101.0, 99.5, 99.5, 100.25, 1e-3, 4000.0)


def _rows(result: Any) -> list[tuple[float, ...]]:
    """``update``'s value or tuple as a 1-tuple or tuple, for one comparison."""
    return [result if isinstance(result, tuple) else (result,)]


def _columns(result: Any) -> list[tuple[float, ...]]:
    """``update_many``'s column or columns as rows of ``update``'s shape."""
    cols = result if isinstance(result, tuple) else (result,)
    return list(zip(*(c.tolist() for c in cols), strict=True))


def _same(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Exactly equal, NaN matching NaN, and the sign of a zero kept."""
    return len(a) == len(b) and all(
        (math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) == math.copysign(1, y))
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("name", sorted(MAKERS))
@SETTINGS
@given(
    bars=bars_strategy(),
    n=st.integers(1, 30),
    cuts=st.lists(st.integers(0, 300), max_size=6),
)
def test_update_many_equals_update_one_at_a_time(
    name: str, bars: Bars, n: int, cuts: list[int]
) -> None:
    one, bulk = MAKERS[name](n), MAKERS[name](n)
    values = bars.close.tolist()
    expected = [row for v in values for row in _rows(one.update(v))]
    got: list[tuple[float, ...]] = []
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    for lo, hi in itertools.pairwise(bounds):
        got.extend(_columns(bulk.update_many(bars.close[lo:hi])))
    assert len(got) == len(expected)
    assert all(_same(a, b) for a, b in zip(got, expected, strict=True))
    for v in TAIL:  # and the state carries on identically
        assert _same(_rows(bulk.update(v))[0], _rows(one.update(v))[0])


def test_update_many_on_an_empty_block_changes_nothing() -> None:
    for name, make in MAKERS.items():
        one, bulk = make(3), make(3)
        for v in (1.0, 2.0):
            one.update(v)
            bulk.update(v)
        assert all(len(c) == 0 for c in _columns_raw(bulk.update_many(np.array([])))), name
        for v in TAIL:
            assert _same(_rows(bulk.update(v))[0], _rows(one.update(v))[0]), name


def _columns_raw(result: Any) -> tuple[Any, ...]:
    return result if isinstance(result, tuple) else (result,)
