"""Bars in bulk: a block of the merged, time-ordered bar stream as numpy columns.

The kernel's batch path (:mod:`tradebot.engine.batch_driver`) reads history a block at a
time instead of a :class:`~tradebot.domain.bar.Bar` object at a time: strategies with a bulk
hook see one symbol's columns (:class:`SymbolBars`), and only the few bars where something
happens (a signal, a working order, the end of a snapshot bucket) ever become ``Bar`` objects.

A block always holds whole timestamps (every bar of its last time is in it) and knows the
time of the first bar after it, so bookkeeping that needs "is this the last bar of the day?"
never has to wait for the next block. That is the feed's knowledge of *when* the next bar
comes, not of its prices: nothing a strategy or the decision stage sees depends on it.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import repeat
from typing import cast

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Timeframe

__all__ = ["EPOCH", "BarBatch", "SymbolBars", "epoch_nanoseconds", "utc_datetime", "utc_datetimes"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_nanoseconds(moment: datetime) -> int:
    """Nanoseconds since the epoch of a UTC-aware datetime, exactly (no float on the way)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def utc_datetime(ns: int | np.integer) -> datetime:
    """The UTC datetime of epoch nanoseconds, floored to the microsecond (as the feed makes
    them: ``datetime`` holds no finer)."""
    return EPOCH + timedelta(microseconds=int(ns) // 1000)


def utc_datetimes(ts_ns: IntArray) -> list[datetime]:
    """UTC-aware datetimes for sorted int64 nanosecond timestamps, floored to microseconds.

    One ``datetime`` is built per *distinct* time and shared by every bar at that time (all
    symbols of a daily replay share each close). Each is ``EPOCH + timedelta`` with both
    operands made in C (numpy's ``timedelta64.tolist()``, ``map(operator.add)``): about
    0.13 µs a value, where ``naive.replace(tzinfo=UTC)`` costs 0.7 µs.
    """
    n = len(ts_ns)
    if n == 0:
        return []
    change = np.empty(n, dtype=np.bool_)
    change[0] = True
    np.not_equal(ts_ns[1:], ts_ns[:-1], out=change[1:])
    offsets: list[timedelta] = (ts_ns[change] // 1000).view("timedelta64[us]").tolist()
    distinct = np.empty(len(offsets), dtype=object)
    distinct[:] = list(map(operator.add, repeat(EPOCH, len(offsets)), offsets))
    if len(offsets) == n:
        return cast(list[datetime], distinct.tolist())
    return cast(list[datetime], distinct[np.cumsum(change) - 1].tolist())


@dataclass(slots=True)
class SymbolBars:
    """One symbol's consecutive bars inside a block, as columns (views, not copies).

    ``positions`` are the bars' positions in the block, so a strategy's answer ("an
    opinion after my bar 17") maps back to the block's time order.
    """

    symbol: str
    timeframe: Timeframe
    positions: IntArray
    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    _times: list[datetime] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ts)

    def times(self) -> list[datetime]:
        """The bars' close times as UTC datetimes (built on first use)."""
        if self._times is None:
            self._times = utc_datetimes(self.ts)
        return self._times

    def bar(self, i: int) -> Bar:
        """Bar ``i`` of this symbol's run as a :class:`Bar` object."""
        return _bar_of(self, self.symbol, self.times()[i], i)


@dataclass(slots=True)
class BarBatch:
    """A block of the replay: bars ordered by (time, symbol order), as columns.

    ``symbol`` indexes ``symbols``; ``next_ts`` is the time of the first bar after the block
    (``None`` at the end of the replay).
    """

    symbols: Sequence[str]
    timeframe: Timeframe
    symbol: NDArray[np.intp]
    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    next_ts: int | None = None
    _times: list[datetime] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.ts)

    def times(self) -> list[datetime]:
        """Close time of every bar as a UTC datetime (built on first use, shared per time)."""
        if self._times is None:
            self._times = utc_datetimes(self.ts)
        return self._times

    def bar(self, i: int, symbol: str | None = None, ts: datetime | None = None) -> Bar:
        """Row ``i`` as a :class:`Bar` object (``symbol`` and ``ts``: the row's, when the
        caller knows them already)."""
        return _bar_of(
            self,
            self.symbols[int(self.symbol[i])] if symbol is None else symbol,
            self.times()[i] if ts is None else ts,
            i,
        )

    def by_symbol(self) -> dict[int, SymbolBars]:
        """Each symbol's bars in the block (symbols without bars here are absent)."""
        out: dict[int, SymbolBars] = {}
        if len(self.symbols) == 1:
            if len(self.ts):
                out[0] = self._part(0, np.arange(len(self.ts), dtype=np.int64))
            return out
        for k in np.unique(self.symbol).tolist():
            out[int(k)] = self._part(int(k), np.flatnonzero(self.symbol == k).astype(np.int64))
        return out

    def _part(self, k: int, positions: IntArray) -> SymbolBars:
        whole = len(positions) == len(self.ts)
        pick = slice(None) if whole else positions
        return SymbolBars(
            self.symbols[k],
            self.timeframe,
            positions,
            self.ts[pick],
            self.open[pick],
            self.high[pick],
            self.low[pick],
            self.close[pick],
            self.volume[pick],
            self._times if whole else None,
        )


def _bar_of(columns: SymbolBars | BarBatch, symbol: str, ts: datetime, i: int) -> Bar:
    """Row ``i`` of a block's price columns as a :class:`Bar`."""
    return Bar(
        symbol,
        columns.timeframe,
        ts,
        float(columns.open[i]),
        float(columns.high[i]),
        float(columns.low[i]),
        float(columns.close[i]),
        float(columns.volume[i]),
    )
