"""Symbol → sector, and how much of the portfolio sits in each sector.

The table is parsed from CSV *text* (the caller reads the file; the bundled one comes from
:func:`tradebot.data.reference.sector_table_text`). A symbol the table does not know is in
the sector ``"Unknown"``: unknown names share one bucket, so an unclassified basket cannot
dodge the sector cap by being unclassified.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from tradebot.domain.errors import DataError

__all__ = ["UNKNOWN_SECTOR", "SectorTable", "parse_sector_table", "sector_exposure"]

UNKNOWN_SECTOR = "Unknown"


@dataclass(frozen=True, slots=True)
class SectorTable:
    sectors: Mapping[str, str] = field(default_factory=dict)

    def sector(self, symbol: str) -> str:
        return self.sectors.get(symbol, UNKNOWN_SECTOR)

    def with_overrides(self, extra: Mapping[str, str]) -> SectorTable:
        """A copy with more labels (e.g. ``{"BTC-USD": "Crypto"}``) taking precedence."""
        return SectorTable({**self.sectors, **extra})


def parse_sector_table(text: str, source: str = "sector table") -> SectorTable:
    """Read CSV text with at least the columns ``symbol`` and ``sector``."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("symbol", "sector") if c not in header]
    if missing:
        raise DataError(
            f"{source}: missing column(s) {', '.join(missing)} (found {', '.join(header)})",
            "the file needs a header row with symbol and sector",
        )
    table: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        symbol = (row.get("symbol") or "").strip().upper()
        sector = (row.get("sector") or "").strip()
        if not symbol or not sector:
            raise DataError(f"{source} line {line}: empty symbol or sector", "fill in both")
        if symbol in table and table[symbol] != sector:
            raise DataError(
                f"{source} line {line}: {symbol} is listed twice with different sectors",
                "keep one row per symbol",
            )
        table[symbol] = sector
    return SectorTable(table)


def sector_exposure(
    values: Iterable[tuple[str, Decimal]], table: SectorTable
) -> dict[str, Decimal]:
    """Sum of market values per sector from ``(symbol, market value)`` pairs."""
    exposure: dict[str, Decimal] = {}
    for symbol, value in values:
        sector = table.sector(symbol)
        exposure[sector] = exposure.get(sector, Decimal(0)) + value
    return exposure
