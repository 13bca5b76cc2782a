"""Reference tables shipped with the package for the bundled symbols (see ``PROVENANCE.md``).

- ``sectors.csv``: symbol → GICS sector for every symbol of the bundled bar sets;
- ``earnings_dates.csv``: results-announcement dates (SEC 8-K Item 2.02 filing dates) of
  those symbols, under the tickers the bundled bars use.

This module only reads the files; parsing is pure and lives in :mod:`tradebot.risk`.
"""

from __future__ import annotations

from importlib.resources import files

from tradebot.domain.errors import DataError
from tradebot.risk.earnings import EarningsCalendar, parse_earnings_csv
from tradebot.risk.sectors import SectorTable, parse_sector_table

__all__ = [
    "bundled_earnings",
    "bundled_sectors",
    "earnings_dates_text",
    "sector_table_text",
]

SECTORS_FILE = "sectors.csv"
EARNINGS_FILE = "earnings_dates.csv"


def _text(name: str) -> str:
    resource = files(__name__).joinpath(name)
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(
            f"bundled reference table {name} is missing from the installed package",
            "reinstall tradebot",
        ) from None


def sector_table_text() -> str:
    return _text(SECTORS_FILE)


def earnings_dates_text() -> str:
    return _text(EARNINGS_FILE)


def bundled_sectors() -> SectorTable:
    return parse_sector_table(sector_table_text(), f"bundled {SECTORS_FILE}")


def bundled_earnings() -> EarningsCalendar:
    return parse_earnings_csv(earnings_dates_text(), f"bundled {EARNINGS_FILE}")
