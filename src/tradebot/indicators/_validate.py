"""Argument checks shared by the batch functions and the streaming classes.

They run once per call (batch) or once per construction (streaming), never per bar, so the
hot path of a streaming ``update`` stays free of checks; bars are validated where they enter
the system (decode, import).
"""

from __future__ import annotations

import math
import operator

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["as_series", "check_multiplier", "check_period", "same_length"]

# TA-Lib's TA_EPSILON: in TA_IS_ZERO_SCALED a difference within TA_EPSILON of its operands'
# magnitude is zero (the stochastic's flat-window test).
TA_EPSILON = 1e-14


def check_period(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` >= 1, or raise ``ValueError`` naming the parameter."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}") from None
    if n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {n}")
    return n


def check_multiplier(name: str, value: object) -> float:
    """Return ``value`` as a finite float >= 0 (a band width in standard deviations)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    k = float(value)
    if not math.isfinite(k) or k < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return k


def as_series(name: str, values: ArrayLike) -> NDArray[np.float64]:
    """One-dimensional contiguous float64 copy-or-view of ``values``; refuses NaN and inf.

    Non-finite prices are corrupt data, not a warm-up marker: TA-Lib would silently skip a
    leading NaN and shift every output, so they are refused here.
    """
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a sequence of numbers") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    # A finite sum proves every value finite (NaN and inf propagate) in one single-threaded
    # pass, a little cheaper than isfinite().all(); only a sum that overflows (values near
    # 1e308) needs the exact test. (A BLAS dot product is faster still, but its worker
    # threads stall for milliseconds when the machine's cores are busy.)
    with np.errstate(over="ignore"):
        total = float(np.add.reduce(arr))
    if not math.isfinite(total) and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def same_length(**arrays: NDArray[np.float64] | NDArray[np.int64]) -> int:
    """Common length of the named arrays, or ``ValueError`` listing each length."""
    lengths = {name: len(arr) for name, arr in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ValueError(f"inputs must have the same length, got {detail}")
    return next(iter(lengths.values()))
