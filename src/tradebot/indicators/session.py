"""Session-anchored VWAP over whole series (TA-Lib has no VWAP, so it is written here).

Per session the cumulative sums restart from zero: ``np.cumsum`` on each session's slice
(the same additions in the same order as the streaming ``VWAP``, so both agree bit for bit)
or, when sessions are short and many, pandas' grouped cumulative sum. A cumulative sum over
the whole series with each session's starting offset subtracted would be one vectorised
pass, but its rounding error grows with the whole series' total and, a million bars in,
swamps a young session's sum.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from tradebot.indicators._validate import as_series, same_length

__all__ = ["session_starts", "vwap"]

# One np.cumsum call per session costs about 2 µs; below this many bars per session on
# average, pandas' grouped cumulative sum (one C loop, ~15 ns per bar) is cheaper.
_LOOP_MIN_BARS_PER_SESSION = 128


def session_starts(session: ArrayLike) -> NDArray[np.int64]:
    """Indices where a session starts: 0 and every bar whose label differs from the last."""
    labels = np.asarray(session)
    if labels.ndim != 1:
        raise ValueError(f"session must be one-dimensional, got shape {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"session must hold integer labels, got dtype {labels.dtype}")
    if labels.size == 0:
        return np.zeros(0, dtype=np.int64)
    changes = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    return np.concatenate(([0], changes)).astype(np.int64)


def vwap(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike, session: ArrayLike
) -> NDArray[np.float64]:
    """Volume-weighted typical price ((h + l + c) / 3), restarting at each session start.

    ``session`` labels each bar with an integer; a new session starts wherever the label
    changes. NaN where the session's cumulative volume is still 0.
    """
    h = as_series("high", high)
    lo = as_series("low", low)
    c = as_series("close", close)
    v = as_series("volume", volume)
    labels = np.asarray(session)
    size = same_length(high=h, low=lo, close=c, volume=v, session=labels)
    starts = session_starts(labels)
    pv = (h + lo + c) / 3.0 * v
    if len(starts) <= size // _LOOP_MIN_BARS_PER_SESSION:
        cum_pv = np.empty(size, dtype=np.float64)
        cum_v = np.empty(size, dtype=np.float64)
        for begin, end in itertools.pairwise([*starts.tolist(), size]):
            np.cumsum(pv[begin:end], out=cum_pv[begin:end])
            np.cumsum(v[begin:end], out=cum_v[begin:end])
    else:
        run = np.zeros(size, dtype=np.int64)
        run[starts[1:]] = 1
        groups = pd.DataFrame({"pv": pv, "v": v}).groupby(np.cumsum(run), sort=False)
        sums = groups.cumsum()
        cum_pv = sums["pv"].to_numpy(np.float64)
        cum_v = sums["v"].to_numpy(np.float64)
    out = np.full(size, np.nan, dtype=np.float64)
    np.divide(cum_pv, cum_v, out=out, where=cum_v != 0.0)
    return out
