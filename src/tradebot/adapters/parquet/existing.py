"""What an import does with bars already stored for its symbols: refuse, replace or append.

Losing history is not something an import may do by default (1,586 stored rows once became
the 99 of a short CSV), so a symbol that already has a file is refused unless the caller
says ``replace`` or ``append``. Appending adds the bars whose times are new and accepts
overlapping bars only when every OHLCV value is identical; one that differs is refused,
naming its time, its CSV line and the values on both sides, because silently preferring one
side would corrupt a backtest either way. Everything is decided before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tradebot.adapters.parquet.catalog import format_range, series_info
from tradebot.adapters.parquet.layout import OhlcvArrays
from tradebot.adapters.parquet.validation import format_ns, read_checked
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import DataError

__all__ = ["ExistingBars", "Merged", "merge_into", "refuse_existing"]

ExistingBars = Literal["refuse", "replace", "append"]
_FIELDS = ("open", "high", "low", "close", "volume")
_NOTHING = "nothing was written"


@dataclass(frozen=True, slots=True)
class Merged:
    """What to write for one symbol: ``arrays`` (the whole file), and how the CSV's rows
    split into ``new`` and ``present`` (identical to a stored bar); ``replaced`` counts the
    stored rows a replace dropped."""

    arrays: OhlcvArrays
    new: int
    present: int
    replaced: int


def refuse_existing(targets: list[tuple[str, Path]], timeframe: Timeframe) -> None:
    """Raise one line when any ``(symbol, file)`` already exists, naming the first with its
    row count and range and counting the others."""
    taken = [(symbol, path) for symbol, path in targets if path.exists()]
    if not taken:
        return
    symbol, path = taken[0]
    try:
        info = series_info(path, symbol, timeframe)
    except DataError:  # unreadable: still stored bars, and --replace is the way out
        held = f"{path} already exists (unreadable as Parquet bars)"
    else:
        span = format_range(info.first, info.last, timeframe) if info.first and info.last else ""
        held = f"{path} already holds {info.rows:,} {symbol} {timeframe.value} bars"
        held += f", {span}" if span else ""
    more = f" (and {len(taken) - 1} more of this file's symbols have bars there)"
    raise DataError(
        held + (more if len(taken) > 1 else ""),
        "pass --append to add the new bars (overlapping bars must be identical) or --replace "
        f"to overwrite the stored ones; {_NOTHING}",
    )


def merge_into(
    path: Path,
    incoming: OhlcvArrays,
    lines: NDArray[np.int64],
    *,
    symbol: str,
    timeframe: Timeframe,
    source: Path,
    mode: ExistingBars,
) -> Merged:
    """The file to write at ``path`` for ``incoming`` (the CSV's validated rows of ``symbol``,
    ``lines`` their CSV line numbers) under ``mode``; ``refuse`` is :func:`refuse_existing`'s
    job and behaves as a first import here."""
    if not path.exists():
        return Merged(incoming, len(incoming), 0, 0)
    if mode == "replace":
        try:
            replaced = series_info(path, symbol, timeframe).rows
        except DataError:  # a corrupt file is one reason to replace; its count is unknown
            replaced = 0
        return Merged(incoming, len(incoming), 0, replaced)
    stored = read_checked(path)
    common, mine, theirs = np.intersect1d(
        incoming.ts, stored.ts, assume_unique=True, return_indices=True
    )
    differ = np.zeros(len(common), dtype=np.bool_)
    for name in _FIELDS:
        differ |= getattr(incoming, name)[mine] != getattr(stored, name)[theirs]
    if differ.any():
        first = int(np.flatnonzero(differ)[0])
        raise _conflict(
            path,
            incoming,
            stored,
            lines,
            int(mine[first]),
            int(theirs[first]),
            count=int(differ.sum()),
            symbol=symbol,
            source=source,
        )
    fresh = np.ones(len(incoming), dtype=np.bool_)
    fresh[mine] = False
    added = incoming.take(np.flatnonzero(fresh))
    ts = np.concatenate([stored.ts, added.ts])
    order = np.argsort(ts, kind="stable")
    merged = OhlcvArrays(
        ts[order],
        *(np.concatenate([getattr(stored, k), getattr(added, k)])[order] for k in _FIELDS),
    )
    return Merged(merged, len(added), len(common), 0)


def _conflict(
    path: Path,
    incoming: OhlcvArrays,
    stored: OhlcvArrays,
    lines: NDArray[np.int64],
    mine: int,
    theirs: int,
    *,
    count: int,
    symbol: str,
    source: Path,
) -> DataError:
    """One line naming the first disagreeing bar: time, CSV line, and the first field that
    differs with both values."""
    field = next(k for k in _FIELDS if getattr(incoming, k)[mine] != getattr(stored, k)[theirs])
    values = f"{field} {getattr(incoming, field)[mine]:g} in the file, "
    values += f"{getattr(stored, field)[theirs]:g} stored"
    bars = "bar differs" if count == 1 else "bars differ"
    return DataError(
        f"{source}: {count:,} {symbol} {bars} from those in {path}; first at "
        f"{format_ns(int(incoming.ts[mine]))} (line {int(lines[mine])}: {values})",
        f"drop the overlapping rows from the CSV, or pass --replace to overwrite; {_NOTHING}",
    )
