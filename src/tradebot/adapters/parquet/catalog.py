"""What a data directory holds: its series, their first and last bar, their row counts.

``tradebot data list``, the symbols ``--data DIR`` defaults to, and the errors that name the
data's actual range all ask this without reading a price: the row count comes from the
Parquet footer and the first and last bar from the timestamp column alone, so listing a
folder of million-row minute files stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tradebot.adapters.parquet.layout import available_symbols, bar_file, unknown_symbol
from tradebot.domain.batch import utc_datetime
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError

__all__ = [
    "SeriesInfo",
    "data_range",
    "data_symbols",
    "format_range",
    "list_series",
    "series_info",
]

_SUFFIX = ".parquet"
_ORDER = {tf: i for i, tf in enumerate(sorted(Timeframe, key=lambda t: t.seconds))}


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """One ``<SYMBOL>_<timeframe>.parquet`` file; ``first``/``last`` are ``None`` when it
    holds no rows."""

    symbol: str
    timeframe: Timeframe
    path: Path
    rows: int
    first: datetime | None
    last: datetime | None


def format_range(first: datetime, last: datetime, timeframe: Timeframe) -> str:
    """``2015-01-02 → 2021-04-21`` for daily bars; intraday bars keep the UTC time."""
    pattern = "%Y-%m-%d" if timeframe is Timeframe.D1 else "%Y-%m-%d %H:%M UTC"
    return f"{first:{pattern}} → {last:{pattern}}"


def series_info(path: Path, symbol: str, timeframe: Timeframe) -> SeriesInfo:
    """Row count and first and last close of one file; :class:`DataError` naming the file if
    it is not a readable Parquet file with UTC timestamps."""
    try:
        parquet = pq.ParquetFile(path)
        rows = parquet.metadata.num_rows
        column = parquet.read(columns=["timestamp"]).column("timestamp")
    except (OSError, KeyError, pa.ArrowException) as exc:
        raise DataError(
            f"{path}: cannot read Parquet bars: {exc}",
            "re-create the file with `tradebot data import`, or move it out of the folder",
        ) from exc
    if not pa.types.is_timestamp(column.type) or column.type.tz is None:
        raise DataError(
            f"{path}: column timestamp has type {column.type}, not a UTC timestamp",
            "re-create the file with `tradebot data import`",
        )
    bounds = pc.min_max(column.cast(pa.timestamp("ns", tz="UTC")).cast(pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None or high is None:
        return SeriesInfo(symbol, timeframe, path, rows, None, None)
    return SeriesInfo(symbol, timeframe, path, rows, utc_datetime(low), utc_datetime(high))


def list_series(data_dir: Path, timeframe: Timeframe | None = None) -> list[SeriesInfo]:
    """Every series in ``data_dir`` (of ``timeframe`` only, when given), by symbol and then
    timeframe; one line of :class:`DataError` for a missing directory or one without any."""
    directory = _existing(data_dir)
    found: list[tuple[str, Timeframe, Path]] = []
    for path in directory.iterdir():
        parsed = _parse_name(path.name)
        if parsed is not None and path.is_file():
            found.append((*parsed, path))
    kept = [f for f in found if timeframe is None or f[1] is timeframe]
    if not kept:
        raise _nothing_there(directory, timeframe, sorted({tf for _, tf, _ in found}, key=_rank))
    kept.sort(key=lambda f: (f[0], _rank(f[1])))
    return [series_info(path, symbol, tf) for symbol, tf, path in kept]


def data_symbols(data_dir: Path, timeframe: Timeframe) -> tuple[str, ...]:
    """The symbols with ``timeframe`` bars in ``data_dir``, sorted: what ``--symbols``
    defaults to with ``--data DIR``. One line of :class:`DataError` when there are none."""
    directory = _existing(data_dir)
    symbols = tuple(available_symbols(directory, timeframe))
    if not symbols:
        others = {tf for _, tf in filter(None, map(_parse_name, _names(directory)))}
        raise _nothing_there(directory, timeframe, sorted(others, key=_rank))
    return symbols


def data_range(
    data_dir: Path, symbol: str, timeframe: Timeframe
) -> tuple[datetime, datetime] | None:
    """Close times of the first and last bar of ``symbol`` at ``timeframe`` (``None``: the
    file is empty), for messages that name the data's actual range. An absent file is
    :class:`~tradebot.domain.errors.UnknownSymbolError`, listing the symbols there are."""
    path = bar_file(Path(data_dir), symbol, timeframe)
    if not path.is_file():
        raise unknown_symbol(symbol, Path(data_dir), timeframe)
    info = series_info(path, symbol, timeframe)
    return (info.first, info.last) if info.first and info.last else None


def _existing(data_dir: Path) -> Path:
    directory = Path(data_dir)
    if not directory.is_dir():
        raise DataError(
            f"market data directory {directory} does not exist",
            "pass --data DIR with <SYMBOL>_<timeframe>.parquet files, or create them with "
            "`tradebot data import FILE.csv --data DIR`",
        )
    return directory


def _names(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir()]


def _parse_name(name: str) -> tuple[str, Timeframe] | None:
    """``AAPL_1d.parquet`` → ``("AAPL", Timeframe.D1)``; ``None`` for any other file."""
    if name.startswith(".") or not name.endswith(_SUFFIX):
        return None
    stem, sep, tail = name[: -len(_SUFFIX)].rpartition("_")
    if not sep or not stem:
        return None
    try:
        return unquote(stem), Timeframe(tail)
    except ValueError:
        return None


def _rank(timeframe: Timeframe) -> int:
    return _ORDER[timeframe]


def _nothing_there(
    directory: Path, timeframe: Timeframe | None, others: list[Timeframe]
) -> DataError:
    what = f"{timeframe.value} bar files" if timeframe is not None else "bar files"
    have = f" (it has {', '.join(t.value for t in others)} bars)" if others else ""
    return DataError(
        f"{directory} holds no {what} (<SYMBOL>_<timeframe>.parquet){have}",
        "import bars with `tradebot data import FILE.csv --data DIR`, or pick another "
        "--data or --timeframe",
    )
