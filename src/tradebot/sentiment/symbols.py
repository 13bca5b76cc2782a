"""The symbol table behind ticker extraction: companies, their symbols, names and aliases.

Built, purely, from rows (:func:`tradebot.data.symbols.read_symbol_rows` reads the bundled
ones). A *company* owns one or more symbols (Alphabet: GOOGL and GOOG; rows of the S&P 500
sharing a CIK are one company, the class A share first) and former symbols (Meta: FB). A
name maps to one company. Names come from the tables, shortened by dropping legal suffixes
("Apple Inc." → "Apple"), and from the hand-written aliases; a short name that is an
ordinary word is either dropped (only the full name counts: "News", "Dow", "Nasdaq") or
marked as needing financial context (Target, Visa, Ford). The first table wins a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

__all__ = ["Company", "SymbolTable", "default_table", "name_tokens"]

# Legal-form suffixes dropped to get the name people write ("Apple Inc." -> "Apple").
_SUFFIX = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.|plc|PLC|p\.l\.c\.|Ltd\.?|"
    r"Limited|N\.V\.|S\.A\.|SA/NV|SE|AG|L\.P\.|Holdings?|& Co\.?))+\s*$"
)
# A trailing word that says what kind of firm it is; people drop it ("Mondelez", "Cisco").
_GENERIC_TAIL = frozenset(
    {"International", "Group", "Holdings", "Technologies", "Technology", "Systems", "Solutions",
     "Communications", "Financial", "Brands", "Industries", "Entertainment", "Worldwide",
     "Global", "Platforms", "Enterprises", "Incorporated"}
)  # fmt: skip
# What is left after dropping the tail must name the firm, not be a word of many names.
_TOO_GENERIC = frozenset(
    {"United", "American", "General", "National", "First", "Global", "S&P", "Public",
     "Universal", "International", "Southern", "Northern", "Western", "Eastern", "Pacific",
     "Atlantic", "Royal", "Union", "Standard", "Digital", "Advanced", "Applied", "Dollar",
     "Energy", "Capital", "Realty", "Health", "Consolidated", "Match", "Principal", "Live"}
)  # fmt: skip
_CLASS = re.compile(r"\s*\((?:Class [A-Z]|Series [A-Z])\)")
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9&.'’\-]*[A-Za-z0-9&])?")

# Shortened names that are ordinary words or name an index/exchange, not the company:
# only the full name counts for these.
_DROPPED_SHORT_NAMES = frozenset(
    {"News", "Dow", "Nasdaq", "Booking", "Flex", "Fox", "Coherent", "Waters", "Southern",
     "Progressive", "Block", "Ball", "Carnival", "Dover", "Corning", "Target", "Visa",
     "Oracle", "Eaton", "Rollins", "Loews", "Total", "TOTAL", "Align", "Carrier", "Charter",
     "Cincinnati", "Constellation", "Edison", "Everest", "Regions", "Tyler", "Zebra", "Roper",
     "Lennox", "Jacobs", "Ferguson", "Baxter", "SBA", "Microchip", "Yum", "Icahn"}
)  # fmt: skip


def name_tokens(text: str) -> tuple[str, ...]:
    """Words as the extractor sees them: letters, digits and inner ``& . ' -`` ("Inc." →
    "Inc", "McDonald's" stays whole: the text's "Casey" is not "Casey's")."""
    return tuple(m.group() for m in _TOKEN.finditer(text))


def _normal_symbol(raw: str) -> str:
    """``$BRK-A`` / ``brk.a`` → ``BRK.A``."""
    return raw.strip().lstrip("$").upper().replace("-", ".").replace("/", ".")


def short_name(full: str) -> str:
    """``"The Walt Disney Company"`` → ``"Walt Disney"``; ``"Alphabet Inc. (Class A)"`` →
    ``"Alphabet"``."""
    name = _CLASS.sub("", " ".join(full.split()))
    name = re.sub(r"^The\s+", "", name)
    return _SUFFIX.sub("", name).strip().rstrip(",").strip()


def _without_generic_tail(name: str) -> str:
    """``"Mondelez International"`` → ``"Mondelez"`` (empty when nothing is dropped)."""
    words = name.split()
    if len(words) >= 2 and words[-1] in _GENERIC_TAIL:
        rest = " ".join(words[:-1])
        return "" if rest in _TOO_GENERIC else rest
    return ""


@dataclass(slots=True)
class Company:
    """One issuer: its symbols (primary first), its former symbols and its names."""

    key: str
    symbols: list[str]
    former: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def primary(self) -> str:
        return self.symbols[0]


@dataclass(frozen=True, slots=True)
class NameEntry:
    tokens: tuple[str, ...]
    company: str
    needs_context: bool


class SymbolTable:
    """Look-ups the extractor needs; build with :meth:`build`."""

    def __init__(self) -> None:
        self.companies: dict[str, Company] = {}
        self.by_symbol: dict[str, str] = {}  # current and former symbol -> company key
        self.former: dict[str, str] = {}  # former symbol -> current symbol
        self.names: dict[str, list[NameEntry]] = {}  # first token -> entries, longest first

    def company_of(self, symbol: str) -> Company | None:
        key = self.by_symbol.get(symbol)
        return self.companies[key] if key is not None else None

    def is_known(self, symbol: str) -> bool:
        return symbol in self.by_symbol

    # -- building ------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        sp500: Iterable[Mapping[str, str]],
        *,
        stocknet: Iterable[Mapping[str, str]] = (),
        former: Iterable[Mapping[str, str]] = (),
        aliases: Iterable[Mapping[str, str]] = (),
    ) -> SymbolTable:
        table = cls()
        renamed = {_normal_symbol(r["former"]): _normal_symbol(r["current"]) for r in former}
        for row in sp500:
            symbol = _normal_symbol(row["symbol"])
            key = f"cik:{int(row['cik'])}" if row.get("cik", "").strip().isdigit() else symbol
            table._add(key, symbol, row["name"], class_a="Class A" in row["name"])
        for row in stocknet:
            symbol = _normal_symbol(row["Symbol"])
            current = renamed.get(symbol)
            if current is not None and current in table.by_symbol:
                table._add_name(table.by_symbol[current], row["Company"], False)
            elif symbol not in table.by_symbol:
                table._add(symbol, symbol, row["Company"], class_a=False)
        for old, new in renamed.items():
            table.former[old] = new
            company = table.company_of(new)
            if company is not None and old not in table.by_symbol:
                company.former.append(old)
                table.by_symbol[old] = company.key
        for row in aliases:
            company = table.company_of(_normal_symbol(row["symbol"]))
            key = company.key if company is not None else _normal_symbol(row["symbol"])
            if company is None:
                table._add(key, key, "", class_a=False)
            table._add_name(key, row["alias"], row.get("needs_context", "").strip() == "yes")
        for entries in table.names.values():
            entries.sort(key=lambda entry: -len(entry.tokens))
        return table

    def _add(self, key: str, symbol: str, full_name: str, *, class_a: bool) -> None:
        company = self.companies.get(key)
        if company is None:
            company = self.companies[key] = Company(key, [symbol])
        elif symbol not in company.symbols:
            company.symbols.insert(0 if class_a else len(company.symbols), symbol)
        self.by_symbol.setdefault(symbol, key)
        full_name = _CLASS.sub("", full_name)
        if full_name:
            self._add_name(key, full_name, False)
            short = short_name(full_name)
            for name in (short, _without_generic_tail(short)):
                if name and name not in _DROPPED_SHORT_NAMES and name.upper() != symbol:
                    self._add_name(key, name, False)

    def _add_name(self, key: str, name: str, needs_context: bool) -> None:
        tokens = name_tokens(" ".join(name.split()))
        if not tokens:
            return
        entries = self.names.setdefault(tokens[0], [])
        if any(entry.tokens == tokens for entry in entries):
            return  # the first table to name it wins
        entries.append(NameEntry(tokens, key, needs_context))
        self.companies[key].names.append(" ".join(tokens))


@cache
def default_table() -> SymbolTable:
    """The table from the bundled data (read and built once per process)."""
    from tradebot.data.symbols import read_symbol_rows  # the one read, of package data

    rows = read_symbol_rows()
    return SymbolTable.build(
        rows.sp500, stocknet=rows.stocknet, former=rows.former, aliases=rows.aliases
    )
