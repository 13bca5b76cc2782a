"""Earnings dates in memory, and how many trading days away the next one is.

The calendar is parsed from CSV text or ``(symbol, YYYY-MM-DD)`` rows (``tradebot data
import-earnings`` and the bundled slice both end here); the caller does the reading.
"Trading days until" counts sessions in ``(today, earnings day]``: 0 on the day itself,
1 when it is the next session. Without a session calendar (or outside its range) weekdays
stand in for sessions, which only ignores holidays.
"""

from __future__ import annotations

import bisect
import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from tradebot.domain.errors import DataError
from tradebot.risk.calendar import SessionCalendar

__all__ = [
    "EarningsCalendar",
    "parse_earnings_csv",
    "parse_earnings_rows",
    "trading_days_until",
    "weekdays_between",
]


@dataclass(frozen=True, slots=True)
class EarningsCalendar:
    """Sorted, de-duplicated earnings dates per symbol."""

    dates: Mapping[str, tuple[date, ...]] = field(default_factory=dict)

    def next_on_or_after(self, symbol: str, day: date) -> date | None:
        days = self.dates.get(symbol)
        if not days:
            return None
        index = bisect.bisect_left(days, day)
        return days[index] if index < len(days) else None

    def merged(self, other: EarningsCalendar) -> EarningsCalendar:
        symbols = set(self.dates) | set(other.dates)
        return EarningsCalendar(
            {
                s: tuple(sorted(set(self.dates.get(s, ())) | set(other.dates.get(s, ()))))
                for s in symbols
            }
        )

    def __len__(self) -> int:
        return sum(len(d) for d in self.dates.values())


def parse_earnings_rows(
    rows: Iterable[tuple[str, str]], source: str = "earnings rows", first_line: int = 1
) -> EarningsCalendar:
    """Build the calendar from ``(symbol, ISO date)`` pairs, naming the bad line if any."""
    collected: dict[str, set[date]] = {}
    for line, (raw_symbol, raw_day) in enumerate(rows, start=first_line):
        symbol = raw_symbol.strip().upper()
        if not symbol:
            raise DataError(f"{source} line {line}: empty symbol", "give a ticker such as AAPL")
        try:
            day = date.fromisoformat(raw_day.strip())
        except ValueError:
            raise DataError(
                f"{source} line {line}: {raw_day!r} is not a date",
                "write earnings dates as YYYY-MM-DD",
            ) from None
        collected.setdefault(symbol, set()).add(day)
    return EarningsCalendar({s: tuple(sorted(d)) for s, d in collected.items()})


def parse_earnings_csv(text: str, source: str = "earnings file") -> EarningsCalendar:
    """Read CSV text with the columns ``symbol`` and ``earnings_date`` (others ignored)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("symbol", "earnings_date") if c not in header]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)} (found {', '.join(header)})",
            "the file needs a header row: symbol,earnings_date",
        )
    pairs = ((row["symbol"] or "", row["earnings_date"] or "") for row in reader)
    return parse_earnings_rows(pairs, source, first_line=2)


def weekdays_between(day: date, until: date) -> int:
    """Monday–Friday dates in ``(day, until]``."""
    if until <= day:
        return 0
    span = (until - day).days
    weeks, rest = divmod(span, 7)
    count = weeks * 5
    weekday = day.weekday()
    for step in range(1, rest + 1):
        if (weekday + step) % 7 < 5:
            count += 1
    return count


def trading_days_until(day: date, until: date, calendar: SessionCalendar | None) -> int:
    """Sessions in ``(day, until]``, from the calendar where it covers both dates."""
    if calendar is not None and calendar.covers(day) and calendar.covers(until):
        return calendar.sessions_after(day, until)
    return weekdays_between(day, until)
