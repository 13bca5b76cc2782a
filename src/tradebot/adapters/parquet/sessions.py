"""Labelling date-only daily rows with the moment the bar closed.

A daily bar is acted on only after its session closes (DESIGN.md §4), so its timestamp must be
the close, not midnight: a bar labelled 00:00 of its own day would let the kernel trade on a
close that has not happened yet. The rule, used by the importer and the sample-data script:

- the date is a session of ``calendar`` (default XNYS): the session's close in UTC from
  ``exchange_calendars``, which knows holidays and half days (13:00 New York on early closes);
- otherwise (a weekend or holiday row, or ``calendar=None`` for 24/7 markets such as crypto):
  00:00 UTC of the next day, i.e. the end of that UTC day.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.errors import DataError

__all__ = ["label_dates"]

_NS_PER_DAY = 86_400 * 1_000_000_000


def label_dates(days: NDArray[np.datetime64], calendar: str | None = "XNYS") -> NDArray[np.int64]:
    """Close-time labels (int64 ns since the epoch, UTC) for an array of ``datetime64[D]``."""
    day_arr = np.asarray(days).astype("datetime64[D]")
    labels = (day_arr.astype(np.int64) + 1) * _NS_PER_DAY
    if calendar is None or day_arr.size == 0:
        return labels
    sessions, closes = _session_closes(calendar, day_arr.min(), day_arr.max())
    if sessions.size == 0:
        return labels
    idx = np.searchsorted(sessions, day_arr)
    idx_clipped = np.minimum(idx, sessions.size - 1)
    is_session = sessions[idx_clipped] == day_arr
    labels[is_session] = closes[idx_clipped[is_session]]
    return labels


def _session_closes(
    calendar: str, first: np.datetime64, last: np.datetime64
) -> tuple[NDArray[np.datetime64], NDArray[np.int64]]:
    """Sessions (``datetime64[D]``) between ``first`` and ``last`` and their UTC close (ns)."""
    import exchange_calendars as xcals  # imported lazily: building a calendar takes ~0.1 s

    try:
        # Padded by a week: the library refuses a one-day range, and it costs nothing.
        week = np.timedelta64(7, "D")
        with warnings.catch_warnings():  # the library trips a pandas 3.1 deprecation inside
            warnings.filterwarnings("ignore", message="Series.values returning")
            cal = xcals.get_calendar(calendar, start=str(first - week), end=str(last + week))
    except Exception as exc:  # the library raises several unrelated types for bad input
        raise DataError(
            f"cannot build the {calendar} exchange calendar for {first}..{last}: {exc}",
            "use an exchange_calendars code such as XNYS, or calendar=None for 24/7 markets",
        ) from exc
    schedule = cal.schedule
    sessions = schedule.index.to_numpy().astype("datetime64[D]")
    closes_utc = schedule["close"].dt.tz_convert(None).to_numpy()
    closes = closes_utc.astype("datetime64[ns]").astype(np.int64)
    return sessions, closes
