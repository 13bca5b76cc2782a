"""The equity-curve buffer returns exactly the points it was given, in order, however they
came: one at a time or in blocks, read between them or not."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from tradebot.engine.curve_buffer import CurveBuffer

point = st.tuples(
    st.integers(0, 10**18), st.floats(allow_nan=False), st.booleans(), st.floats(allow_nan=False)
)
step = st.one_of(
    st.tuples(st.just("one"), st.lists(point, min_size=1, max_size=1)),
    st.tuples(st.just("block"), st.lists(point, min_size=0, max_size=20)),
    st.tuples(st.just("read"), st.just([])),
)


@given(steps=st.lists(step, max_size=25))
def test_points_come_back_in_order(steps: list[tuple[str, list[tuple]]]) -> None:
    buffer, expected = CurveBuffer(), []
    for kind, points in steps:
        if kind == "one":
            buffer.append(*points[0])
        elif kind == "block":
            columns = list(zip(*points, strict=True)) or [[], [], [], []]
            buffer.extend(
                np.array(columns[0], dtype=np.int64),
                np.array(columns[1], dtype=np.float64),
                np.array(columns[2], dtype=np.bool_),
                np.array(columns[3], dtype=np.float64),
            )
        expected.extend(points)
        times, equity, held, bench = buffer.arrays()
        assert len(buffer) == len(expected) == len(times)
        assert times.tolist() == [p[0] for p in expected]
        assert equity.tolist() == [p[1] for p in expected]
        assert held.tolist() == [p[2] for p in expected]
        assert bench.tolist() == [p[3] for p in expected]
