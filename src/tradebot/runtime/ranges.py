"""A run's date range against its data: refused when impossible or empty, in the user's dates.

``build_kernel`` asks here before it builds anything else, so that a run with nothing to do
fails in one line instead of "completing" with 0 bars, and a start after the end is named as
the user typed it, not as the warm-up moved it.
"""

from __future__ import annotations

from datetime import datetime

from tradebot.adapters.parquet.catalog import format_range
from tradebot.adapters.parquet.feed import ParquetReplayFeed
from tradebot.domain.errors import ConfigError, DataError
from tradebot.ops.logging import get_logger

__all__ = ["check_dates", "require_bars"]


def check_dates(start: datetime | None, end: datetime | None) -> None:
    """Refuse a start after the end, in the user's own dates (the feed, which starts earlier
    for the strategies' warm-up, would name the shifted one)."""
    if start is not None and end is not None and start.date() > end.date():
        raise ConfigError(
            f"start {start.date()} is after end {end.date()}",
            "give a --start on or before the --end",
        )


def require_bars(feed: ParquetReplayFeed, start: datetime | None, end: datetime | None) -> None:
    """Refuse a run with no bar in ``[start, end]`` for any of its symbols, naming the range
    each symbol's data holds; warn, in one line, about the symbols without bars there when
    others have some.

    Only the bars from ``start`` on count: the warm-up bars before it are read but never
    traded, so a run of warm-up alone would "complete" with nothing done. The files are
    read here rather than at the first bar; the run reads them anyway.
    """
    empty = [s for s in feed.symbols if feed.span(s, since=start) is None]
    if not empty:
        return
    window = _window(start, end)
    if len(empty) == len(feed.symbols):
        held = _held(feed, empty, named=len(empty) > 1)
        raise DataError(
            f"no {', '.join(empty)} bars {window}: the data holds {held}",
            "pick dates inside the data's range (`tradebot data list` shows it) or other --symbols",
        )
    get_logger("run-range").warning(  # bound now: logging is configured by then
        f"no {', '.join(empty)} bars {window}: {'it' if len(empty) == 1 else 'they'} "
        "will not trade",
        data=_held(feed, empty, named=True),
    )


def _window(start: datetime | None, end: datetime | None) -> str:
    if start is not None and end is not None:
        return f"between {start.date()} and {end.date()}"
    if start is not None:
        return f"from {start.date()} on"
    return f"up to {end.date()}" if end is not None else "at all"


def _held(feed: ParquetReplayFeed, symbols: list[str], *, named: bool) -> str:
    """Each symbol's whole range, symbols with the same range together:
    ``AAPL, MSFT 2015-01-02 → 2021-04-21; SPY 2017-01-03 → 2021-06-04``."""
    groups: dict[str, list[str]] = {}
    for symbol in symbols:
        span = feed.file_span(symbol)
        text = format_range(*span, feed.timeframe) if span is not None else "no bars (empty file)"
        groups.setdefault(text, []).append(symbol)
    if not named and len(groups) == 1:
        return next(iter(groups))
    return "; ".join(f"{', '.join(names)} {text}" for text, names in groups.items())
