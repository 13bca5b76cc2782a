"""The bundled symbol tables for ticker extraction, read as plain rows (see PROVENANCE.md).

- ``sp500_constituents.csv``: the S&P 500 (503 rows, 2026-08 snapshot, public domain);
- ``stocknet_symbols_sectors.tsv``: StockNet's 88 stocks of 2014-2015 (MIT), the demo's
  universe, several of them outside today's index;
- ``former_symbols.csv``: tickers renamed since (FB → META, PCLN → BKNG, ...);
- ``aliases.csv``: hand-written common names (Google, BofA, J&J, ...); ``needs_context``
  marks names that are also ordinary words (Target, Visa, Ford).

The rows are read once and cached; building the table from them is pure
(:mod:`tradebot.sentiment.symbols`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["SymbolRows", "read_symbol_rows"]


@dataclass(frozen=True, slots=True)
class SymbolRows:
    sp500: tuple[dict[str, str], ...]
    stocknet: tuple[dict[str, str], ...]
    former: tuple[dict[str, str], ...]
    aliases: tuple[dict[str, str], ...]


def _rows(name: str, delimiter: str = ",") -> tuple[dict[str, str], ...]:
    text = files(__name__).joinpath(name).read_text(encoding="utf-8")
    return tuple(csv.DictReader(io.StringIO(text), delimiter=delimiter))


@cache
def read_symbol_rows() -> SymbolRows:
    """Every bundled table as rows of strings (read once per process)."""
    return SymbolRows(
        sp500=_rows("sp500_constituents.csv"),
        stocknet=_rows("stocknet_symbols_sectors.tsv", "\t"),
        former=_rows("former_symbols.csv"),
        aliases=_rows("aliases.csv"),
    )
