"""Walk-forward folds on the bar timeline.

The timeline is the sorted set of UTC calendar dates on which any of the symbols has a bar
inside ``[start, end]``: the replay feed selects bars by calendar date, so a fold boundary
between two dates is exactly a boundary between two sets of bars (for daily bars, between two
bars). The dates are cut into ``n`` consecutive folds of near-equal length; each fold's first
``train_fraction`` of dates is in-sample and the rest out-of-sample. Invariants (tested):
folds do not overlap, out-of-sample starts strictly after in-sample ends, and together the
folds cover every date of the period. Earlier bars still reach a window as indicator warm-up
(the kernel's ``trade_from``), which is history, not look-ahead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import numpy as np

from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError

__all__ = ["Fold", "Window", "make_folds", "timeline_dates", "whole_period"]

_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class Window:
    """Inclusive calendar dates a run trades over."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last, time.max, tzinfo=UTC)

    def as_dict(self) -> dict[str, str]:
        return {"start": self.first.isoformat(), "end": self.last.isoformat()}


@dataclass(frozen=True, slots=True)
class Fold:
    """One walk-forward step: choose parameters on ``train``, judge them on ``test``."""

    index: int
    train: Window
    test: Window
    train_days: int
    test_days: int


def timeline_dates(
    data_dir: Path,
    symbols: Sequence[str],
    timeframe: Timeframe,
    start: datetime | None,
    end: datetime | None,
) -> list[date]:
    """Distinct UTC dates with a bar of any of ``symbols`` within ``[start, end]``."""
    from tradebot.adapters.parquet.layout import bar_file, read_ohlcv
    from tradebot.domain.errors import UnknownSymbolError

    days: set[int] = set()
    for symbol in symbols:
        path = bar_file(data_dir, symbol, timeframe)
        if not path.is_file():
            raise UnknownSymbolError(
                f"no {timeframe.value} bars for {symbol!r} in {data_dir}",
                "check --symbols and --data (`tradebot data import` adds bars)",
            )
        ts = read_ohlcv(path).ts
        days.update(np.unique(ts // _NS_PER_DAY).tolist())
    ordinal0 = date(1970, 1, 1).toordinal()
    out = sorted(date.fromordinal(ordinal0 + int(d)) for d in days)
    lo = start.date() if start is not None else None
    hi = end.date() if end is not None else None
    return [d for d in out if (lo is None or d >= lo) and (hi is None or d <= hi)]


def whole_period(days: Sequence[date]) -> Window:
    """The window of a plain (not walk-forward) optimisation."""
    if not days:
        raise ConfigError("no bars in the chosen period", "widen --start/--end or check --data")
    return Window(days[0], days[-1])


def make_folds(days: Sequence[date], n: int, train_fraction: float) -> list[Fold]:
    """``n`` consecutive folds over ``days``, each split in-sample / out-of-sample."""
    if n < 1:
        raise ConfigError(f"--walk-forward {n} must be at least 1", "pass --walk-forward 4")
    if not 0.0 < train_fraction < 1.0:
        raise ConfigError(
            f"--train-fraction {train_fraction} must lie strictly between 0 and 1",
            "pass --train-fraction 0.7",
        )
    total = len(days)
    if total < 2 * n:
        raise ConfigError(
            f"{total} trading days cannot make {n} walk-forward folds",
            "use fewer folds or a longer period",
        )
    folds: list[Fold] = []
    for k in range(n):
        lo, hi = k * total // n, (k + 1) * total // n
        size = hi - lo
        cut = min(max(round(size * train_fraction), 1), size - 1)
        train = Window(days[lo], days[lo + cut - 1])
        test = Window(days[lo + cut], days[hi - 1])
        folds.append(Fold(k + 1, train, test, cut, size - cut))
    return folds
