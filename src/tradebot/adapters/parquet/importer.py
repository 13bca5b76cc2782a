"""``tradebot data import``: turn an OHLCV CSV into the Parquet layout, or refuse it in one line.

Validation happens here, at the boundary, so the replay feed can trust what it reads. The
whole file is checked before anything is written; the first bad row (lowest line number,
header = line 1) is named with its problem, and nothing changes on disk.

Timestamps (column ``timestamp``, ``datetime``, ``date`` or ``time``; ISO 8601):

- with an offset or ``Z``: converted to UTC;
- naive with a time of day: read as local time in ``tz``, then converted to UTC;
- date only (``2020-01-02``, daily bars only): labelled with the close of that session on
  ``calendar`` (XNYS by default, early closes included), or 00:00 UTC of the next day when the
  date is not a session or ``calendar`` is ``None`` (see :mod:`.sessions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from tradebot.adapters.parquet.csv_columns import (
    TIME_COLUMNS,
    CsvColumns,
    RowProblems,
    read_csv_columns,
)
from tradebot.adapters.parquet.existing import ExistingBars, merge_into, refuse_existing
from tradebot.adapters.parquet.layout import (
    OhlcvArrays,
    bar_file,
    check_symbol_name,
    write_ohlcv_files,
)
from tradebot.adapters.parquet.sessions import label_dates
from tradebot.adapters.parquet.validation import check_bars
from tradebot.domain.batch import utc_datetime
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError

__all__ = ["ExistingBars", "ImportReport", "SymbolImport", "import_csv"]

_PRICES = ("open", "high", "low", "close")
_OHLCV = (*_PRICES, "volume")
_NAT = np.iinfo(np.int64).min
_DATE_ONLY = r"\d{4}-\d{1,2}-\d{1,2}"
_HAS_OFFSET = r".*(?:[zZ]|[+-]\d{2}:?\d{2})"


@dataclass(frozen=True, slots=True)
class SymbolImport:
    """What was written for one symbol: ``rows`` in the CSV, of which ``new`` were added and
    ``present`` were already stored, identical (``append``); ``replaced`` stored rows were
    dropped (``replace``); the file now holds ``total`` rows from ``first_ts`` to
    ``last_ts``."""

    symbol: str
    path: Path
    rows: int
    first_ts: datetime
    last_ts: datetime
    new: int = 0
    present: int = 0
    replaced: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class ImportReport:
    """The outcome of one import: one entry per symbol, in order of first appearance."""

    source: Path
    timeframe: Timeframe
    symbols: tuple[SymbolImport, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(s.path for s in self.symbols)

    @property
    def rows(self) -> dict[str, int]:
        return {s.symbol: s.rows for s in self.symbols}


def import_csv(
    path: Path,
    data_dir: Path,
    *,
    timeframe: Timeframe = Timeframe.D1,
    symbol: str | None = None,
    adjusted: bool = False,
    tz: str = "UTC",
    calendar: str | None = "XNYS",
    existing: ExistingBars = "refuse",
) -> ImportReport:
    """Validate ``path`` and write one ``<SYMBOL>_<timeframe>.parquet`` per symbol in it.

    A ``symbol`` (or ``ticker``) column makes the file long format; ``symbol`` then keeps only
    that one. Without the column, ``symbol`` names the series. ``adjusted`` reads the
    ``adj_*`` prices (``adj_open/high/low`` derived as raw × adj_close / close when only
    ``adj_close`` exists); volume is taken as is. A symbol that already has a file is refused
    unless ``existing`` is ``replace`` or ``append`` (:mod:`.existing`); other files in
    ``data_dir`` are left alone, and nothing is written unless every symbol can be.
    """
    path, timeframe, zone = Path(path), Timeframe(timeframe), _zone(tz)
    table = read_csv_columns(path)
    time_col, symbol_col, sources = _resolve_columns(table, adjusted, symbol)
    if symbol_col and symbol is not None:
        table = _only_symbol(table, symbol_col, symbol)
    problems = RowProblems(path, np.asarray(table.lines, dtype=np.int64))

    ts = _parse_times(table, time_col, zone, timeframe, calendar, problems)
    values = {name: _numbers(table, column, problems) for name, column in sources.items()}
    if adjusted and sources["open"] == "open":  # only adj_close: raw o/h/l × adj_close/close
        raw_close = _numbers(table, "close", problems)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = values["close"] / raw_close
        for name in ("open", "high", "low"):
            values[name] = values[name] * ratio

    raw_names = table.columns[symbol_col] if symbol_col else [symbol] * len(table)
    names = np.asarray([str(s).strip() for s in raw_names], dtype=object)
    problems.flag(names == "", lambda _row: f"{symbol_col} is empty")

    series: list[tuple[str, OhlcvArrays, NDArray[np.int64]]] = []
    for name in dict.fromkeys(names[~problems.bad].tolist()):
        check_symbol_name(name)
        rows = np.flatnonzero((names == name) & ~problems.bad)
        arrays = OhlcvArrays(ts[rows], *(values[k][rows] for k in _OHLCV))
        found = check_bars(arrays.ts, *(values[k][rows] for k in _OHLCV))
        if found is not None:
            problems.note(int(problems.lines[rows[found.row]]), f"{name}: {found.problem}")
            problems.extra += found.count
        series.append((name, arrays, problems.lines[rows]))
    problems.raise_if_any()
    return _store(path, Path(data_dir), timeframe, series, existing)


def _store(
    path: Path,
    data_dir: Path,
    timeframe: Timeframe,
    series: list[tuple[str, OhlcvArrays, NDArray[np.int64]]],
    existing: ExistingBars,
) -> ImportReport:
    """Settle each symbol with what is stored (refuse, replace, append), then write every
    file at once: a refusal or a conflict in any symbol writes nothing."""
    targets = [(name, bar_file(data_dir, name, timeframe)) for name, _, _ in series]
    if existing == "refuse":
        refuse_existing(targets, timeframe)
    entries: list[SymbolImport] = []
    files: dict[Path, OhlcvArrays] = {}
    for (name, target), (_, arrays, lines) in zip(targets, series, strict=True):
        merged = merge_into(
            target, arrays, lines, symbol=name, timeframe=timeframe, source=path, mode=existing
        )
        files[target] = kept = merged.arrays
        entries.append(
            SymbolImport(
                name,
                target,
                rows=len(arrays),
                first_ts=utc_datetime(kept.ts[0]),
                last_ts=utc_datetime(kept.ts[-1]),
                new=merged.new,
                present=merged.present,
                replaced=merged.replaced,
                total=len(kept),
            )
        )
    try:
        write_ohlcv_files(files)
    except OSError as exc:
        raise DataError(
            f"cannot write bars to {data_dir}: {exc}", "check that the folder is writable"
        ) from exc
    return ImportReport(path, timeframe, tuple(entries))


def _only_symbol(table: CsvColumns, symbol_col: str, symbol: str) -> CsvColumns:
    """The rows of one symbol of a long-format file (other symbols are not even validated)."""
    rows = [i for i, s in enumerate(table.columns[symbol_col]) if s.strip() == symbol]
    if not rows:
        raise DataError(
            f"{table.path}: no rows for symbol {symbol!r}", "check the symbol's spelling"
        )
    columns = {k: [v[i] for i in rows] for k, v in table.columns.items()}
    return CsvColumns(table.path, columns, [table.lines[i] for i in rows])


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DataError(
            f"unknown time zone {tz!r}", "use an IANA name such as UTC or America/New_York"
        ) from exc


def _resolve_columns(
    table: CsvColumns, adjusted: bool, symbol: str | None
) -> tuple[str, str, dict[str, str]]:
    """(time column, symbol column or "", bar field → CSV column), or one line on what's missing."""
    have = table.columns
    time_col = next((c for c in TIME_COLUMNS if c in have), "")
    symbol_col = next((c for c in ("symbol", "ticker") if c in have), "")
    sources = {name: name for name in _OHLCV}
    required = ["open", "high", "low", "close", "volume"]
    if adjusted:
        full = [f"adj_{p}" for p in _PRICES]
        if all(c in have for c in full):
            sources.update({p: f"adj_{p}" for p in _PRICES})
            required = [*full, "volume"]
        else:
            sources["close"] = "adj_close"
            required = [*required, "adj_close"]
    missing = [c for c in required if c not in have]
    if not time_col:
        missing.insert(0, "timestamp (or date/datetime)")
    if missing:
        wanted = "timestamp (or date/datetime), " + ", ".join(required)
        if adjusted:
            wanted += " (adj_open/adj_high/adj_low may replace raw open/high/low)"
        raise DataError(
            f"{table.path}: missing column(s) {', '.join(missing)}; required: {wanted}; "
            f"found: {', '.join(have) or 'none'}",
            "rename the columns in the header (names are case-insensitive)",
        )
    if not symbol_col and symbol is None:
        raise DataError(
            f"{table.path}: no symbol column and no symbol given",
            "pass the symbol (`tradebot data import FILE --symbol AAPL`) or add a symbol column",
        )
    if symbol is not None:
        check_symbol_name(symbol)
    if len(table) == 0:
        raise DataError(f"{table.path}: no data rows", "the file has a header but no bars")
    return time_col, symbol_col, sources


def _numbers(table: CsvColumns, column: str, problems: RowProblems) -> NDArray[np.float64]:
    raw = table.columns[column]
    parsed = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce")
    values = parsed.to_numpy(dtype=np.float64, na_value=np.nan)
    problems.flag(np.isnan(values), lambda row: f"{column} is empty or not a number: {raw[row]!r}")
    return values


def _parse_times(
    table: CsvColumns,
    column: str,
    zone: ZoneInfo,
    timeframe: Timeframe,
    calendar: str | None,
    problems: RowProblems,
) -> NDArray[np.int64]:
    """int64 ns UTC per row (a sentinel where the row is flagged), by the module's rules."""
    raw = pd.Series(table.columns[column], dtype=object).str.strip()
    date_only = raw.str.fullmatch(_DATE_ONLY).to_numpy(dtype=np.bool_)
    aware = raw.str.fullmatch(_HAS_OFFSET).to_numpy(dtype=np.bool_) & ~date_only
    naive = ~date_only & ~aware
    out = np.full(len(raw), _NAT, dtype=np.int64)

    def describe(row: int) -> str:
        return f"{column} {raw.iloc[row]!r} is not an ISO 8601 time (e.g. 2020-01-02T16:00:00Z)"

    if aware.any():
        parsed = pd.to_datetime(raw[aware], format="ISO8601", utc=True, errors="coerce")
        out[aware] = _ns(parsed)
    if naive.any():
        local = pd.to_datetime(raw[naive], format="ISO8601", errors="coerce")
        unparsed = np.zeros(len(raw), dtype=np.bool_)
        unparsed[naive] = local.isna().to_numpy()
        problems.flag(unparsed, describe)
        localized = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        out[naive] = _ns(localized)
        problems.flag(
            naive & (out == _NAT),
            lambda row: (
                f"{column} {raw.iloc[row]!r} does not exist or is ambiguous in "
                f"{zone.key} (a daylight-saving change); give an offset"
            ),
        )
    if date_only.any():
        days = pd.to_datetime(raw[date_only], format="%Y-%m-%d", errors="coerce")
        ok = days.notna().to_numpy()
        if timeframe is not Timeframe.D1:
            first = int(np.flatnonzero(date_only)[0])
            problems.note(
                int(problems.lines[first]),
                f"{column} {raw.iloc[first]!r} has no time of day, but the timeframe is "
                f"{timeframe.value}; date-only rows are daily bars",
            )
            problems.bad |= date_only
        elif ok.any():
            idx = np.flatnonzero(date_only)[ok]
            day_values = days[ok].to_numpy().astype("datetime64[D]")
            out[idx] = label_dates(day_values, calendar)
    problems.flag(out == _NAT, describe)
    return out


def _ns(parsed: pd.Series) -> NDArray[np.int64]:
    """int64 ns UTC of a parsed datetime Series; NaT becomes the sentinel."""
    utc = parsed.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    values: NDArray[np.int64] = np.array(utc.to_numpy(), dtype="datetime64[ns]").view(np.int64)
    values[utc.isna().to_numpy()] = _NAT  # NaT is already INT64_MIN; explicit all the same
    return values
