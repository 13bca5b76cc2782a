"""Figures of the equity curve over time: daily and monthly returns, time under water, exposure.

A backtest on minute bars hands over up to a million points, so everything here is a few
vectorised numpy passes: timestamps become int64 nanoseconds once, calendar buckets are
integer divisions or datetime64 casts, and a bucket's value is its last point (found where
the bucket number changes), never a Python loop per point.

Timestamps are UTC (naive ones are read as UTC) and sorted ascending, one per equity point.
Days and months are UTC calendar days and months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradebot.backtest.metrics.ratios import FloatArray, as_vector

__all__ = [
    "DrawdownSpell",
    "MonthlyRow",
    "Timestamps",
    "as_datetime",
    "daily_ends",
    "daily_returns",
    "exposure",
    "exposure_of_flags",
    "longest_drawdown",
    "monthly_returns",
    "period_returns",
    "to_ns",
]

Timestamps = Sequence[datetime] | npt.NDArray[np.datetime64] | pd.DatetimeIndex
IntArray = npt.NDArray[np.int64]

_NS_PER_DAY = 86_400 * 10**9


def to_ns(ts: Timestamps) -> IntArray:
    """UTC epoch nanoseconds of each timestamp (one C-level conversion for a list of datetimes).

    pandas keeps the resolution it was given (microseconds for ``datetime`` objects), so the
    index is brought to nanoseconds before its integers are read.
    """
    if isinstance(ts, np.ndarray) and ts.dtype.kind == "M":
        if ts.dtype == np.dtype("datetime64[ns]"):
            return ts.view(np.int64)  # already nanoseconds: no copy
        return ts.astype("datetime64[ns]").view(np.int64)
    if isinstance(ts, pd.DatetimeIndex):
        index = ts
    else:
        try:  # one time zone throughout (the kernel's UTC): the fast constructor
            index = pd.DatetimeIndex(list(ts))
        except (TypeError, ValueError):  # mixed offsets: convert each to UTC
            index = pd.to_datetime(list(ts), utc=True)
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def _curve(ts: Timestamps, equity: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    values, ns = as_vector(equity), to_ns(ts)
    if values.size != ns.size:
        raise ValueError(f"{ns.size} timestamps for {values.size} equity points")
    return values, ns


def _bucket_ends(buckets: IntArray) -> IntArray:
    """Index of the last point of each run of equal bucket numbers."""
    if buckets.size == 0:
        return np.empty(0, dtype=np.int64)
    changes = np.flatnonzero(buckets[1:] != buckets[:-1])
    return np.append(changes, buckets.size - 1).astype(np.int64)


def _anchored_ends(buckets: IntArray) -> IntArray:
    """The first point, then the last point of every bucket.

    The first point is the base of the first bucket's return, so an intraday run keeps its
    first day's move; a bucket whose only point is the first point has no return (daily bars:
    the first day is the base, as empyrical's returns of a daily curve).
    """
    ends = _bucket_ends(buckets)
    if ends.size and ends[0] == 0:
        return ends
    return np.concatenate(([0], ends)).astype(np.int64)


def period_returns(values: FloatArray, ends: IntArray) -> FloatArray:
    """Simple returns between consecutive points ``ends`` of ``values``."""
    picked = values[ends]
    return picked[1:] / picked[:-1] - 1.0


def _days(ns: IntArray) -> IntArray:
    return np.floor_divide(ns, _NS_PER_DAY)


def daily_returns(ts: Timestamps, equity: npt.ArrayLike) -> FloatArray:
    """Simple returns of the curve's last value per UTC day (the first point is the base).

    Sharpe, Sortino, volatility and the annual return use these: ratios on per-bar returns
    would depend on the bar size, and daily returns are what empyrical and its users assume.
    """
    values, ns = _curve(ts, equity)
    if values.size == 0:
        return np.empty(0)
    return period_returns(values, _anchored_ends(_days(ns)))


def daily_ends(ts: Timestamps) -> IntArray:
    """Indices of the points :func:`daily_returns` compares (first point, last of each day)."""
    ns = to_ns(ts)
    return _anchored_ends(_days(ns)) if ns.size else np.empty(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class MonthlyRow:
    """One year of the monthly table; ``months[0]`` is January, ``None`` where no return."""

    year: int
    months: tuple[float | None, ...]
    total: float


def monthly_returns(ts: Timestamps, equity: npt.ArrayLike) -> list[MonthlyRow]:
    """Compounded return of each UTC calendar month, year by year (a heat-map table).

    A month's return is its last value over the previous month's last (the first point for
    the first month): the product of its daily returns, as empyrical's
    ``aggregate_returns(daily, "monthly")``. A year's ``total`` compounds its months.
    """
    values, ns = _curve(ts, equity)
    if values.size == 0:
        return []
    month_numbers = ns.view("datetime64[ns]").astype("datetime64[M]").view(np.int64)
    ends = _anchored_ends(month_numbers)
    returns = period_returns(values, ends)
    years: dict[int, list[float | None]] = {}
    for number, value in zip(month_numbers[ends[1:]].tolist(), returns.tolist(), strict=True):
        years_since_1970, month = divmod(int(number), 12)  # datetime64[M] counts from 1970-01
        years.setdefault(1970 + years_since_1970, [None] * 12)[month] = value
    return [
        MonthlyRow(
            year, tuple(months), float(np.prod([1.0 + m for m in months if m is not None]) - 1.0)
        )
        for year, months in sorted(years.items())
    ]


@dataclass(frozen=True, slots=True)
class DrawdownSpell:
    """The longest stretch under water: from the peak to its recovery (or the last point).

    ``start`` is the peak's timestamp, ``end`` the first point back at or above it (the last
    point when the curve never recovered, ``recovered`` False); ``bars`` counts points from
    the peak to ``end``. An all-time-high curve has a spell of zero length.
    """

    start: datetime | None
    end: datetime | None
    duration: timedelta
    bars: int
    recovered: bool


def longest_drawdown(ts: Timestamps, equity: npt.ArrayLike) -> DrawdownSpell:
    """The drawdown that lasted longest in time (the first of equals), on every point."""
    values, ns = _curve(ts, equity)
    if values.size == 0:
        return DrawdownSpell(None, None, timedelta(0), 0, True)
    at_peak = values >= np.maximum.accumulate(values)
    index = np.arange(values.size)
    last_peak = np.maximum.accumulate(np.where(at_peak, index, 0))
    # A spell ends at the first point at a peak after being under water, or at the last point.
    under = ~at_peak
    ends = np.flatnonzero(under[:-1] & at_peak[1:]) + 1
    if under[-1]:
        ends = np.append(ends, values.size - 1)
    if ends.size == 0:
        first = as_datetime(ns[0])
        return DrawdownSpell(first, first, timedelta(0), 0, True)
    starts = last_peak[ends - 1]
    lengths = ns[ends] - ns[starts]
    k = int(np.argmax(lengths))
    start, end = int(starts[k]), int(ends[k])
    return DrawdownSpell(
        start=as_datetime(ns[start]),
        end=as_datetime(ns[end]),
        duration=timedelta(microseconds=int(lengths[k]) // 1000),
        bars=end - start,
        recovered=bool(at_peak[end]),
    )


def exposure(
    ts: Timestamps,
    entries: Sequence[datetime],
    exits: Sequence[datetime],
) -> float:
    """Fraction of the curve's points at which at least one position was open.

    A position opened at ``entry`` and closed at ``exit`` is held at every point in
    ``[entry, exit)``: it fills at the entry bar's open and is still held at that bar's close,
    and it is gone by the exit bar's close. Overlapping positions count once. NaN for an
    empty curve.
    """
    ns = to_ns(ts)
    if ns.size == 0:
        return float("nan")
    if len(entries) == 0:
        return 0.0
    opened = np.searchsorted(ns, to_ns(entries), side="left")
    closed = np.searchsorted(ns, to_ns(exits), side="left")
    steps = np.zeros(ns.size + 1, dtype=np.int64)
    np.add.at(steps, opened, 1)
    np.add.at(steps, closed, -1)
    return float(np.count_nonzero(np.cumsum(steps[:-1]) > 0) / ns.size)


def exposure_of_flags(held: npt.ArrayLike) -> float:
    """Fraction of points flagged as holding a position (a bool or open-position-count series)."""
    flags = np.asarray(held)
    return float(np.count_nonzero(flags) / flags.size) if flags.size else float("nan")


def as_datetime(ns: np.int64) -> datetime:
    stamp: datetime = pd.Timestamp(int(ns), tz="UTC").to_pydatetime()
    return stamp
