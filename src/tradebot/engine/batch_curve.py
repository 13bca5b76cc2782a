"""The batch path's curves in bulk: equity, exposure and buy-and-hold at every point.

Between two visits of the batch path only prices move, so the per-bar path's point-by-point
values can be computed for a whole block at once — with the very same floating-point
operations in the same order, so the two paths agree bit for bit:

* equity = ``cash + (0 + q₁·m₁ + q₂·m₂ + …)`` over the positions in symbol-name order
  (:meth:`Portfolio.equity_float`); a symbol not held at a point adds an exact ``+ 0.0``;
* buy-and-hold = ``initial × (Σ mᵢ/c₀ᵢ) / k`` over the ``k`` symbols that have joined, in
  the order they joined (:meth:`PortfolioStage._buy_and_hold`), priced at the last point of
  each snapshot bucket and carried to the points after it.

``marks`` gives a symbol's last close at or before each block position asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from tradebot.engine.portfolio import FloatHoldings

__all__ = ["Marks", "benchmark_points", "equity_points", "marks_at"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
Marks = Callable[[str, IntArray], FloatArray]


def marks_at(positions: IntArray, closes: FloatArray, fallback: float, at: IntArray) -> FloatArray:
    """The last of ``closes`` (at block ``positions``) at or before each position in ``at``;
    ``fallback`` before the first."""
    if not len(positions):
        return np.full(len(at), fallback)
    first = int(positions[0])
    if int(positions[-1]) - first + 1 == len(positions):  # every position: no search needed
        j = np.minimum(at - first, len(positions) - 1)
    else:
        j = np.searchsorted(positions, at, side="right") - 1
    return np.where(j >= 0, closes[np.maximum(j, 0)], fallback)


def equity_points(
    states: Sequence[FloatHoldings], change_at: IntArray, points: IntArray, marks: Marks
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Equity and "holds anything" at each of ``points``. ``states[0]`` holds from the
    block's start, ``states[k]`` from block position ``change_at[k - 1]`` on."""
    which = np.searchsorted(change_at, points, side="right")
    cash = np.array([c for c, _ in states], dtype=np.float64)[which]
    held = np.array([bool(h) for _, h in states], dtype=np.bool_)[which]
    quantities: dict[str, list[float]] = {}
    for k, (_, holdings) in enumerate(states):
        for name, quantity, _ in holdings:
            column = quantities.get(name)
            if column is None:
                column = quantities[name] = [0.0] * len(states)
            column[k] = quantity
    total = np.zeros(len(points), dtype=np.float64)
    for name in sorted(quantities):
        per_point = np.array(quantities[name], dtype=np.float64)[which]
        total = total + per_point * marks(name, points)
    return cash + total, held


def benchmark_points(
    bucket_ends: IntArray,
    joined: Sequence[tuple[str, float, int]],
    marks: Marks,
    initial_cash: float,
    points: IntArray,
    carried: float,
) -> tuple[FloatArray, float]:
    """Buy-and-hold at each of ``points`` and its value after the block.

    ``joined``: ``(symbol, first close, block position it joined at)`` in joining order
    (position −1: before this block)."""
    value_at = np.empty(0)
    if len(bucket_ends):
        total = np.zeros(len(bucket_ends), dtype=np.float64)
        count = np.zeros(len(bucket_ends), dtype=np.int64)
        for name, first_close, first_at in joined:
            member = bucket_ends >= first_at
            total = total + np.where(member, marks(name, bucket_ends) / first_close, 0.0)
            count += member
        value_at = initial_cash * (total / np.maximum(count, 1))
        value_at[count == 0] = initial_cash
    values = np.concatenate(([carried], value_at))
    benchmark = values[np.searchsorted(bucket_ends, points, side="right")]
    return benchmark, float(values[-1])
