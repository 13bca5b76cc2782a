"""Vectorised OHLCV checks shared by the importer and the replay feed.

Bars are validated once, at the boundary (DESIGN.md §7): when a CSV is imported and when a
Parquet file is loaded. The checks run as numpy masks over whole columns, so validating a
million rows costs milliseconds, and they report the *first* offending row so that the
caller can name it in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from tradebot.adapters.parquet.layout import OhlcvArrays, read_ohlcv
from tradebot.domain.errors import DataError

__all__ = ["RowProblem", "check_bars", "format_ns", "read_checked"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

_PRICE_NAMES = ("open", "high", "low", "close")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """The first bad row (0-based index into the checked arrays), what is wrong with it,
    and how many rows have at least one problem."""

    row: int
    problem: str
    count: int


def format_ns(ns: int) -> str:
    """An int64 nanosecond UTC timestamp as ISO 8601, for error messages."""
    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")) + "Z"


def check_bars(
    ts_ns: IntArray,
    open_: FloatArray,
    high: FloatArray,
    low: FloatArray,
    close: FloatArray,
    volume: FloatArray,
) -> RowProblem | None:
    """Return the first row that breaks an OHLCV invariant, or ``None`` if all rows are sound.

    Invariants: finite prices and volume, prices > 0, high >= low, volume >= 0, and
    timestamps strictly increasing (no duplicates, no going back in time). ``open`` and
    ``close`` outside ``[low, high]`` are tolerated: some vendors' adjusted data does that by
    a rounding error, and refusing it would reject real files.
    """
    n = len(ts_ns)
    if n == 0:
        return None
    prices = (open_, high, low, close)
    candidates: list[tuple[NDArray[np.bool_], str]] = []
    for name, col in zip(_PRICE_NAMES, prices, strict=True):
        candidates.append((~np.isfinite(col), f"{name} is NaN, infinite or empty"))
    candidates.append((~np.isfinite(volume), "volume is NaN, infinite or empty"))
    for name, col in zip(_PRICE_NAMES, prices, strict=True):
        with np.errstate(invalid="ignore"):
            candidates.append((col <= 0, f"{name} <= 0"))
    with np.errstate(invalid="ignore"):
        candidates.append((high < low, "high < low"))
        candidates.append((volume < 0, "negative volume"))
    order_bad = np.zeros(n, dtype=np.bool_)
    order_bad[1:] = ts_ns[1:] <= ts_ns[:-1]
    candidates.append((order_bad, "timestamp"))

    any_bad = np.zeros(n, dtype=np.bool_)
    first_row, first_text = n, ""
    for mask, text in candidates:
        any_bad |= mask
        hits = np.flatnonzero(mask)
        if hits.size and int(hits[0]) < first_row:
            first_row, first_text = int(hits[0]), text
    if first_row == n:
        return None
    return RowProblem(
        first_row, _describe(first_text, first_row, ts_ns, prices, volume), int(any_bad.sum())
    )


def _describe(
    text: str,
    row: int,
    ts_ns: IntArray,
    prices: tuple[FloatArray, ...],
    volume: FloatArray,
) -> str:
    """Add the offending values to a problem so that the message alone explains it."""
    if text == "timestamp":
        here, before = int(ts_ns[row]), int(ts_ns[row - 1])
        if here == before:
            return f"duplicate timestamp {format_ns(here)} (same as the previous row)"
        return (
            f"timestamp {format_ns(here)} is earlier than the previous row's "
            f"{format_ns(before)} (rows must be in ascending time order)"
        )
    if text == "high < low":
        return f"high {prices[1][row]:g} < low {prices[2][row]:g}"
    if text == "negative volume":
        return f"negative volume {volume[row]:g}"
    if text.endswith("<= 0"):
        name = text.split()[0]
        return f"{name} {prices[_PRICE_NAMES.index(name)][row]:g} <= 0 (prices must be positive)"
    return text


def read_checked(path: Path) -> OhlcvArrays:
    """Read one stored file and refuse it, naming file, row and problem, if any row is
    corrupt (the replay feed's load, and what an appending import merges with)."""
    arrays = read_ohlcv(path)
    problem = check_bars(
        arrays.ts, arrays.open, arrays.high, arrays.low, arrays.close, arrays.volume
    )
    if problem is not None:
        more = f" (and {problem.count - 1} more bad rows)" if problem.count > 1 else ""
        raise DataError(
            f"{path}: row {problem.row + 1}: {problem.problem}{more}",
            "repair the source and re-import it with `tradebot data import`",
        )
    return arrays
