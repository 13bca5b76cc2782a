"""Replay historical bars from the Parquet layout: the backtest's market feed.

This is the backtest hot path, so the work is done in bulk: each file is read once with
pyarrow and validated with numpy masks; ``bars()`` concatenates the columns of all symbols,
orders them with one stable argsort (ties keep the order of ``symbols``), converts the
timestamps with one vectorised call (one ``datetime`` object per distinct time, shared by
every bar at that time) and only then loops in Python, doing nothing per bar but build it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tradebot.adapters.parquet.layout import OhlcvArrays, bar_file, unknown_symbol
from tradebot.adapters.parquet.validation import read_checked
from tradebot.domain.bar import Bar
from tradebot.domain.batch import BarBatch, epoch_nanoseconds, utc_datetime, utc_datetimes
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError

__all__ = ["ParquetReplayFeed", "utc_datetimes"]

_NS_PER_DAY = 86_400 * 1_000_000_000
_CHUNK = 65_536  # bars built per batch: big enough to amortise numpy calls, small for cache
_BATCH = 131_072  # bars per block on the kernel's batch path
_PRICE_FIELDS = ("open", "high", "low", "close", "volume")
_BAR_FIELDS = ("symbol", "timeframe", "ts", "open", "high", "low", "close", "volume")


class ParquetReplayFeed:
    """Closed bars of ``symbols`` at ``timeframe`` from ``data_dir``, merged in time order.

    ``start`` and ``end`` are inclusive and compared by calendar date: a bar is replayed when
    the UTC date of its timestamp lies in ``[start.date(), end.date()]``, so ``end=2020-12-31``
    keeps the bar that closed at 21:00 UTC that day. Each call to :meth:`bars` starts a fresh
    replay; files are read and validated once, on first use.
    """

    def __init__(
        self,
        data_dir: Path,
        symbols: Sequence[str],
        timeframe: Timeframe,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> None:
        self._dir = Path(data_dir)
        self._timeframe = Timeframe(timeframe)
        if not self._dir.is_dir():
            raise DataError(
                f"market data directory {self._dir} does not exist",
                "import bars with `tradebot data import FILE.csv --data DIR`, "
                "or point --data at a folder of <SYMBOL>_<timeframe>.parquet files",
            )
        self._symbols = tuple(dict.fromkeys(symbols))  # de-duplicated, order kept
        if not self._symbols:
            raise DataError("no symbols given to replay", "name at least one symbol")
        for symbol in self._symbols:
            if not bar_file(self._dir, symbol, self._timeframe).is_file():
                raise unknown_symbol(symbol, self._dir, self._timeframe)
        if start is not None and end is not None and start.date() > end.date():
            raise DataError(f"start {start.date()} is after end {end.date()}", "swap start and end")
        self._lo = _day_ns(start) if start is not None else None
        self._hi = _day_ns(end) + _NS_PER_DAY if end is not None else None
        self._cache: dict[str, OhlcvArrays] = {}

    @property
    def data_dir(self) -> Path:
        return self._dir

    @property
    def symbols(self) -> tuple[str, ...]:
        return self._symbols

    @property
    def timeframe(self) -> Timeframe:
        return self._timeframe

    def __len__(self) -> int:
        """How many bars :meth:`bars` yields (loads and validates the files on first use);
        lets a progress bar know its total."""
        return sum(len(self._window(symbol)) for symbol in self._symbols)

    def bars(self) -> Iterator[Bar]:
        """Every bar in ``[start, end]``, ordered by (timestamp, position in ``symbols``).

        Files are loaded and validated now, so a corrupt file fails the call, not the
        middle of a replay. Bars are then built in chunks, keeping memory flat for long
        minute-bar replays and the first bar quick to arrive.
        """
        merged, sym_idx = self._merged()
        names = np.array(self._symbols, dtype=object)[sym_idx]
        return self._replay(merged, names)

    def batches(self, size: int = _BATCH) -> Iterator[BarBatch]:
        """The same replay as :meth:`bars`, as blocks of about ``size`` bars in columns.

        A block ends at a change of timestamp (it holds every bar of its last time, so it can
        be a little shorter or longer than ``size``) and carries the next block's first
        time; the kernel's batch path turns only the bars where something happens into
        ``Bar`` objects.
        """
        if size < 1:
            raise ValueError("batch size must be >= 1")
        merged, sym_idx = self._merged()
        ts, n = merged.ts, len(merged)
        lo = 0
        while lo < n:
            hi = min(lo + size, n)
            if hi < n:  # extend to the end of the timestamp group hi - 1 belongs to
                hi = int(np.searchsorted(ts, ts[hi - 1], side="right"))
            yield BarBatch(
                self._symbols,
                self._timeframe,
                sym_idx[lo:hi],
                ts[lo:hi],
                merged.open[lo:hi],
                merged.high[lo:hi],
                merged.low[lo:hi],
                merged.close[lo:hi],
                merged.volume[lo:hi],
                int(ts[hi]) if hi < n else None,
            )
            lo = hi

    def _merged(self) -> tuple[OhlcvArrays, NDArray[np.intp]]:
        """Every symbol's window merged by (time, position in ``symbols``), and each row's
        symbol index. One symbol needs no sort and no copy."""
        parts = [self._window(symbol) for symbol in self._symbols]
        if len(parts) == 1:
            return parts[0], np.zeros(len(parts[0]), dtype=np.intp)
        ts = np.concatenate([p.ts for p in parts])
        order = np.argsort(ts, kind="stable")
        merged = OhlcvArrays(
            ts[order],
            *(np.concatenate([getattr(p, k) for p in parts])[order] for k in _PRICE_FIELDS),
        )
        sym_idx = np.repeat(np.arange(len(parts), dtype=np.intp), [len(p) for p in parts])
        return merged, sym_idx[order]

    def _replay(self, merged: OhlcvArrays, names: NDArray[np.object_]) -> Iterator[Bar]:
        for lo in range(0, len(merged), _CHUNK):
            chunk = merged.take(slice(lo, lo + _CHUNK))
            yield from _make_bars(
                names[lo : lo + _CHUNK].tolist(),
                self._timeframe,
                utc_datetimes(chunk.ts),
                chunk.open.tolist(),
                chunk.high.tolist(),
                chunk.low.tolist(),
                chunk.close.tolist(),
                chunk.volume.tolist(),
            )

    def bars_between(self, symbol: str, after: datetime, until: datetime) -> list[Bar]:
        """``symbol``'s bars that closed in ``(after, until]``, in order (the paper broker's
        finer bars, to settle which bracket leg a coarser bar reached first)."""
        if symbol not in self._symbols:
            raise unknown_symbol(symbol, self._dir, self._timeframe, known=self._symbols)
        arrays = self._window(symbol)
        lo = int(np.searchsorted(arrays.ts, epoch_nanoseconds(after), side="right"))
        hi = int(np.searchsorted(arrays.ts, epoch_nanoseconds(until), side="right"))
        part = arrays.take(slice(lo, hi))
        return list(
            _make_bars(
                [symbol] * len(part),
                self._timeframe,
                utc_datetimes(part.ts),
                part.open.tolist(),
                part.high.tolist(),
                part.low.tolist(),
                part.close.tolist(),
                part.volume.tolist(),
            )
        )

    def span(
        self, symbol: str, *, since: datetime | None = None
    ) -> tuple[datetime, datetime] | None:
        """Close times of ``symbol``'s first and last bar in ``[start, end]`` (``None``: no
        bar), without building a frame. ``since`` starts the window later, by UTC date like
        ``start``: a run whose feed starts early for warm-up asks what lies in its own range."""
        if symbol not in self._symbols:
            raise unknown_symbol(symbol, self._dir, self._timeframe, known=self._symbols)
        ts = self._window(symbol).ts
        if since is not None:
            ts = ts[int(np.searchsorted(ts, _day_ns(since), "left")) :]
        return (utc_datetime(ts[0]), utc_datetime(ts[-1])) if len(ts) else None

    def file_span(self, symbol: str) -> tuple[datetime, datetime] | None:
        """Close times of the first and last bar ``symbol``'s file holds, whatever the
        window (``None``: an empty file); what an error names as the data's actual range."""
        if symbol not in self._symbols:
            raise unknown_symbol(symbol, self._dir, self._timeframe, known=self._symbols)
        ts = self._arrays(symbol).ts
        return (utc_datetime(ts[0]), utc_datetime(ts[-1])) if len(ts) else None

    def frame(self, symbol: str) -> pd.DataFrame:
        """The bars of one symbol in ``[start, end]`` as a DataFrame indexed by UTC close time
        (index name ``timestamp``; columns ``open, high, low, close, volume``), for research."""
        if symbol not in self._symbols:
            raise unknown_symbol(symbol, self._dir, self._timeframe, known=self._symbols)
        arrays = self._window(symbol)
        index = pd.DatetimeIndex(arrays.ts.astype("datetime64[ns]"), name="timestamp")
        return pd.DataFrame(
            {
                "open": arrays.open,
                "high": arrays.high,
                "low": arrays.low,
                "close": arrays.close,
                "volume": arrays.volume,
            },
            index=index.tz_localize(UTC),
        )

    def _window(self, symbol: str) -> OhlcvArrays:
        """The validated rows of ``symbol`` inside the date window (a view, not a copy)."""
        arrays = self._arrays(symbol)
        lo = 0 if self._lo is None else int(np.searchsorted(arrays.ts, self._lo, "left"))
        hi = len(arrays) if self._hi is None else int(np.searchsorted(arrays.ts, self._hi, "left"))
        return arrays.take(slice(lo, hi))

    def _arrays(self, symbol: str) -> OhlcvArrays:
        """Every validated row of ``symbol``'s file, read once."""
        arrays = self._cache.get(symbol)
        if arrays is None:
            arrays = self._cache[symbol] = read_checked(
                bar_file(self._dir, symbol, self._timeframe)
            )
        return arrays


def _day_ns(moment: datetime) -> int:
    """Nanoseconds since the epoch of 00:00 UTC on ``moment``'s calendar date."""
    return int(moment.date().toordinal() - _EPOCH_ORDINAL) * _NS_PER_DAY


_EPOCH_ORDINAL = datetime(1970, 1, 1).toordinal()


def _fast_bar_factory() -> Callable[..., Iterator[Bar]] | None:
    """A generator that fills Bar's slots directly, skipping the frozen-dataclass ``__init__``
    (eight ``object.__setattr__`` calls, about half the cost of a bar). Used only while
    :class:`Bar` is exactly the plain slotted dataclass it is today; any change to its fields or
    a ``__post_init__`` falls back to the ordinary constructor. A test checks both agree."""
    fields = tuple(f.name for f in dataclasses.fields(Bar))
    if fields != _BAR_FIELDS or hasattr(Bar, "__post_init__") or "__slots__" not in vars(Bar):
        return None
    setters: list[Any] = [vars(Bar)[name].__set__ for name in _BAR_FIELDS]
    s_sym, s_tf, s_ts, s_o, s_h, s_l, s_c, s_v = setters
    new = object.__new__

    def build(
        names: list[str],
        timeframe: Timeframe,
        times: list[datetime],
        o: list[float],
        h: list[float],
        lo: list[float],
        c: list[float],
        v: list[float],
    ) -> Iterator[Bar]:
        for name, ts, op, hi, low, cl, vol in zip(names, times, o, h, lo, c, v, strict=True):
            bar = new(Bar)
            s_sym(bar, name)
            s_tf(bar, timeframe)
            s_ts(bar, ts)
            s_o(bar, op)
            s_h(bar, hi)
            s_l(bar, low)
            s_c(bar, cl)
            s_v(bar, vol)
            yield bar

    return build


def _constructor_bars(
    names: list[str],
    timeframe: Timeframe,
    times: list[datetime],
    o: list[float],
    h: list[float],
    lo: list[float],
    c: list[float],
    v: list[float],
) -> Iterator[Bar]:
    """The plain path: ``Bar(...)`` per row, through ``map`` to keep the loop in C."""
    return map(Bar, names, repeat(timeframe), times, o, h, lo, c, v)


_make_bars: Callable[..., Iterator[Bar]] = _fast_bar_factory() or _constructor_bars
