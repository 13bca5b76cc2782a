"""The on-disk layout of historical bars: one Parquet file per symbol and timeframe.

``<data_dir>/<SYMBOL>_<timeframe>.parquet`` (``AAPL_1d.parquet``) with columns
``timestamp`` (``timestamp[ns, tz=UTC]``, the bar's close time) and ``open, high, low, close,
volume`` (float64). One file per series keeps reads proportional to what a backtest asks for
and lets an import replace one symbol without touching the others.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError, UnknownSymbolError

__all__ = [
    "COLUMNS",
    "OhlcvArrays",
    "available_symbols",
    "bar_file",
    "check_symbol_name",
    "read_ohlcv",
    "unknown_symbol",
    "write_ohlcv_files",
]

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
_SUFFIX = ".parquet"
_SCHEMA = pa.schema(
    [("timestamp", pa.timestamp("ns", tz="UTC"))] + [(name, pa.float64()) for name in COLUMNS[1:]]
)


@dataclass(frozen=True, slots=True)
class OhlcvArrays:
    """One series as columns: ``ts`` is int64 nanoseconds since the epoch, UTC."""

    ts: NDArray[np.int64]
    open: NDArray[np.float64]
    high: NDArray[np.float64]
    low: NDArray[np.float64]
    close: NDArray[np.float64]
    volume: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: NDArray[np.int64] | slice) -> OhlcvArrays:
        """The rows selected by ``index`` (a slice, or positions)."""
        return OhlcvArrays(
            self.ts[index],
            self.open[index],
            self.high[index],
            self.low[index],
            self.close[index],
            self.volume[index],
        )


def bar_file(data_dir: Path, symbol: str, timeframe: Timeframe) -> Path:
    """Where the bars of ``symbol`` at ``timeframe`` live.

    Characters a file name cannot hold are percent-encoded (``BTC/USDT`` →
    ``BTC%2FUSDT_1m.parquet``); letters, digits and ``-._~`` are kept, so stock files keep
    their plain names.
    """
    return Path(data_dir) / f"{quote(symbol, safe='')}_{timeframe.value}{_SUFFIX}"


def available_symbols(data_dir: Path, timeframe: Timeframe) -> list[str]:
    """Symbols with a file for ``timeframe`` in ``data_dir``, sorted; empty if none or no dir."""
    directory = Path(data_dir)
    if not directory.is_dir():
        return []
    tail = f"_{timeframe.value}{_SUFFIX}"
    return sorted(
        unquote(p.name[: -len(tail)])
        for p in directory.iterdir()
        if p.name.endswith(tail) and not p.name.startswith(".") and len(p.name) > len(tail)
    )


def unknown_symbol(
    symbol: str, data_dir: Path, timeframe: Timeframe, known: Sequence[str] | None = None
) -> UnknownSymbolError:
    """The one-line error for a symbol without bars: which file is missing, and what there is
    (``known``: the symbols of a feed; by default those with a file in ``data_dir``)."""
    choices = list(known) if known is not None else available_symbols(data_dir, timeframe)
    listed = ", ".join(choices) if choices else "none"
    where = "in this feed" if known is not None else f"with {timeframe.value} bars there"
    return UnknownSymbolError(
        f"unknown symbol {symbol!r}: no {bar_file(data_dir, symbol, timeframe).name} "
        f"in {data_dir} (symbols {where}: {listed})",
        "pick one of those symbols, or import its bars with `tradebot data import`",
    )


def check_symbol_name(symbol: str) -> None:
    """Refuse a symbol that would make a hidden, empty or whitespace-laden file name."""
    if not symbol or symbol.startswith(".") or any(ch.isspace() for ch in symbol):
        raise DataError(
            f"symbol {symbol!r} cannot be used as a file name",
            "use a symbol without spaces that does not start with '.' (e.g. BRK-B, BTC/USDT)",
        )


def read_ohlcv(path: Path) -> OhlcvArrays:
    """Load one file into numpy columns; raise :class:`DataError` naming the file if it is
    unreadable, lacks a column, or has naive or null timestamps. Row checks are the caller's
    (see :func:`tradebot.adapters.parquet.validation.check_bars`)."""
    try:
        table = pq.read_table(path, columns=list(COLUMNS))
    except (OSError, pa.ArrowException) as exc:
        raise DataError(
            f"{path}: cannot read Parquet bars: {exc}",
            f"the file needs columns {', '.join(COLUMNS)}; "
            "re-create it with `tradebot data import`",
        ) from exc
    ts_col = table.column("timestamp")
    if not pa.types.is_timestamp(ts_col.type):
        raise DataError(
            f"{path}: column timestamp has type {ts_col.type}, not a timestamp",
            "store timestamps as timezone-aware UTC timestamps",
        )
    if ts_col.type.tz is None:
        raise DataError(
            f"{path}: timestamps are naive (no timezone)",
            "store them as UTC-aware timestamps; `tradebot data import --tz` converts local times",
        )
    if ts_col.null_count:
        row = _first_null(ts_col)
        raise DataError(f"{path}: row {row + 1}: timestamp is missing", "drop or repair the row")
    ts = ts_col.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()).to_numpy()
    cols = [
        np.ascontiguousarray(table.column(name).cast(pa.float64()).to_numpy(), dtype=np.float64)
        for name in COLUMNS[1:]
    ]
    return OhlcvArrays(np.ascontiguousarray(ts, dtype=np.int64), *cols)


def _first_null(column: pa.ChunkedArray) -> int:
    mask = column.is_null().to_numpy(zero_copy_only=False)
    return int(np.flatnonzero(mask)[0])


def _table(arrays: OhlcvArrays) -> pa.Table:
    return pa.Table.from_arrays(
        [
            pa.array(arrays.ts, type=pa.int64()).cast(pa.timestamp("ns", tz="UTC")),
            pa.array(arrays.open, type=pa.float64()),
            pa.array(arrays.high, type=pa.float64()),
            pa.array(arrays.low, type=pa.float64()),
            pa.array(arrays.close, type=pa.float64()),
            pa.array(arrays.volume, type=pa.float64()),
        ],
        schema=_SCHEMA,
    )


def write_ohlcv_files(files: Mapping[Path, OhlcvArrays]) -> None:
    """Write every series, all or nothing as far as the file system allows.

    Each file goes to a hidden temporary name beside its target first; only when all of them
    are written are they renamed into place (``os.replace`` is atomic per file). A failure
    while writing removes the temporaries and leaves the existing files untouched.
    """
    pending: list[tuple[Path, Path]] = []
    try:
        for target, arrays in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
            pending.append((tmp, target))
            pq.write_table(_table(arrays), tmp, compression="zstd")
    except BaseException:
        for tmp, _ in pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    for tmp, target in pending:
        os.replace(tmp, target)
