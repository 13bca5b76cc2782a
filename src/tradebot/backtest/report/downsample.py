"""Down-sampling of long curves for charts, keeping every bucket's extremes.

A minute-bar run hands the report a million points; an SVG path that long makes a 30 MB
file that a browser draws slowly, and a chart 960 pixels wide cannot show more than a few
thousand points anyway. Naive striding (every k-th point) would hide the very things a
reader looks for, the deepest drawdown and the highest peak, so each bucket of consecutive
points keeps its minimum and its maximum (in time order), and the first and last points of
the curve are always kept. All of it is a few vectorised numpy passes, no loop per point.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_POINTS", "downsample", "downsample_indices"]

MAX_POINTS = 2_000
"""Default ceiling of points per drawn curve."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def downsample_indices(values: npt.ArrayLike, max_points: int = MAX_POINTS) -> IntArray:
    """Sorted indices of the points to draw: all of them when few, else per-bucket min and max.

    The curve is cut into ``(max_points - 2) // 2`` buckets of (nearly) equal point counts;
    each gives the index of its first minimum and its first maximum. With the first and last
    point added the result never exceeds ``max_points`` and always contains the global
    minimum and maximum. Non-finite values are never chosen as extremes.
    """
    if max_points < 4:
        raise ValueError(f"max_points must be at least 4 (got {max_points})")
    y = np.asarray(values, dtype=np.float64)
    n = y.size
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    buckets = (max_points - 2) // 2
    starts = np.linspace(0, n, buckets + 1).astype(np.int64)[:-1]
    bucket_of = np.repeat(np.arange(buckets), np.diff(np.append(starts, n)))
    finite = np.isfinite(y)
    low = np.where(finite, y, np.inf)
    high = np.where(finite, y, -np.inf)
    picks = [
        np.array([0, n - 1], dtype=np.int64),
        _first_where(finite & (low == np.minimum.reduceat(low, starts)[bucket_of]), bucket_of),
        _first_where(finite & (high == np.maximum.reduceat(high, starts)[bucket_of]), bucket_of),
    ]
    return np.unique(np.concatenate(picks)).astype(np.int64)


def _first_where(hit: npt.NDArray[np.bool_], bucket_of: IntArray) -> IntArray:
    """Index of the first ``True`` of each bucket (buckets with none contribute nothing)."""
    where = np.flatnonzero(hit)
    _, first = np.unique(bucket_of[where], return_index=True)
    return where[first].astype(np.int64)


def downsample(
    x: npt.ArrayLike, y: npt.ArrayLike, max_points: int = MAX_POINTS
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """``(x, y)`` reduced to at most ``max_points`` points by :func:`downsample_indices`."""
    xs = np.asarray(x, dtype=np.int64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.size != ys.size:
        raise ValueError(f"{xs.size} x values for {ys.size} y values")
    keep = downsample_indices(ys, max_points)
    return xs[keep], ys[keep]
