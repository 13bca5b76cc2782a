"""Which tickers a news item is about: ``$AAPL``, ``NASDAQ:AAPL``, ``(NYSE: XOM)``, ``Apple``.

Pure and fast (it runs on every item): a handful of compiled patterns plus one pass over
the words against a first-word index of names. The rules, in order of trust:

1. **Explicit**: a cashtag (``$AAPL``, ``$brk.b``; not ``L$D``, ``$100``, ``$HNU.TO``), an
   exchange prefix (``NASDAQ:AAPL``, ``(NYSE: XOM)``). Uppercase cashtags of symbols not in
   the table count as written (``$LGF``); lowercase ones and fiat codes (``$USD``) only when
   known. A former symbol becomes the company's current one (``$FB`` → ``META``).
2. **Marked**: a known symbol in parentheses (``Facebook (FB)``) or as a hashtag (``#AAPL``).
3. **Bare**: a known symbol written in capitals (``AAPL Stock``, ``GOOGL, AAPL, TXN``): three
   letters or more anywhere, two letters only before "stock"/"shares", never in a text that
   is written in capitals (three or more capitalised words of four letters that are no symbol).
4. **Names**: a company name or alias, case-sensitive ("Apple", not "apple"), the longest
   match winning ("Bank of America" over "America"). "Apple pie"/"Amazon rainforest" are not
   the companies. Names that are ordinary words (Target, Visa, Ford, Oracle, Delta, Meta,
   Coke) count only when the item also speaks of markets (stock, shares, earnings, ...);
   "Price Target" is never Target. A name ending in a possessive matches only as written
   ("Casey's", not the person "Casey").

Tickers that are words (A, ALL, IT, NOW, ON, T, V, KEY, LOW, ...) never count under rules 2
and 3: only with ``$`` or an exchange prefix. A company named several ways yields one
symbol: the explicit one if given, else its primary (class A) share, or, with a
``universe``, the company's symbol in it (``universe={"FB"}``: "Facebook" → ``FB``).
Measured precision and recall: README ("Ticker extraction") and ``scripts/eval_tickers.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache

from tradebot.sentiment.symbols import SymbolTable, default_table

__all__ = ["Mention", "TickerExtractor", "extract_tickers"]

_CASHTAG = re.compile(r"(?<![\w$&])\$([A-Za-z]{1,5})(?:[.\-/]([A-Za-z]))?(?!\w|[./]\w|…|\.\.\.)")
_EXCHANGE = re.compile(
    r"\b(?:NYSE(?:\s?(?:Arca|American|MKT))?|NASDAQ(?:GS|GM|CM)?|Nasdaq|AMEX|BATS|Cboe|"
    r"OTC(?:QX|QB|MKTS)?)\s?:\s?\$?([A-Z]{1,5})(?:[.\-]([A-Z]))?\b"
)
_PAREN = re.compile(r"\(\s?([A-Z]{1,5})(?:[.\-]([A-Z]))?\s?[,)]")
_HASHTAG = re.compile(r"(?<![\w#])#([A-Z]{2,5})\b")
_BARE = re.compile(r"(?<![\w$#.&\-/(])([A-Z]{2,5})(?:\.([A-Z]))?(?![\w&\-]|\.[A-Za-z]{2})")
_CAPS_WORD = re.compile(r"\b[A-Z]{4,}\b")
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9&.'’\-]*[A-Za-z0-9&])?")
_STOCK_WORD = re.compile(r"\s+(?:[Ss]tock|[Ss]hares|STOCK)\b")
_FINANCE = re.compile(
    r"\b(?:stocks?|shares?|shareholders?|earnings|revenue|profit|sales|investors?|analysts?|"
    r"CEO|quarter(?:ly)?|dividend|Nasdaq|NYSE|price target|IPO|buyback|guidance|upgrade[sd]?|"
    r"downgrade[sd]?|valuation|market cap|Inc|Corp)\b|\$[A-Za-z]",
    re.IGNORECASE,
)

# Tickers that are also words or common abbreviations: rules 1 only.
WORD_TICKERS = frozenset(
    {"A", "ALL", "AMP", "APP", "ARE", "BALL", "BCH", "BEN", "BP", "BR", "BUD", "C", "CAT", "CB",
     "CF", "CI", "CMS", "COO", "COR", "COST", "D", "DAY", "DD", "DE", "DG", "DOC", "DOW", "ECHO",
     "ED", "EG", "EL", "ES", "EXE", "F", "FAST", "FE", "FIX", "FOX", "GEN", "GIS", "GL", "GM",
     "HAL", "HAS", "HD", "HOOD", "HUM", "ICE", "IP", "IR", "IT", "J", "K", "KEY", "KEYS", "KIM",
     "L", "LIN", "LOW", "LUV", "MA", "MAR", "MET", "MO", "MS", "MU", "NI", "NOW", "O", "ON",
     "PEG", "PH", "PICO", "PM", "PSA", "Q", "RE", "REX", "RF", "RL", "SO", "SW", "T", "TAP",
     "TECH", "TEL", "TKO", "TM", "TT", "UL", "UN", "UPS", "USB", "V", "WAT", "WELL", "WM", "WY",
     "YUM"}
)  # fmt: skip
_FIAT = frozenset({"USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "CNY", "HKD"})
_NOT_THE_COMPANY = {
    "Apple": frozenset({"pie", "pies", "juice", "tree", "trees", "orchard", "cider", "sauce"}),
    "Amazon": frozenset({"rainforest", "river", "basin", "jungle", "forest", "tribe", "tribes"}),
}


@dataclass(frozen=True, slots=True)
class Mention:
    """One place ``symbol`` is named: how (``explicit``, ``marked``, ``bare``, ``name``) and
    where (``start``, ``end`` in the text)."""

    symbol: str
    kind: str
    start: int
    end: int


class TickerExtractor:
    """``extract(text)`` → the tickers ``text`` is about, in order of first mention."""

    def __init__(
        self,
        table: SymbolTable | None = None,
        *,
        universe: Collection[str] | None = None,
        unknown_cashtags: bool = True,
    ) -> None:
        self.table = table if table is not None else default_table()
        self.universe = frozenset(s.upper() for s in universe) if universe is not None else None
        self.unknown_cashtags = unknown_cashtags

    def extract(self, text: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.symbol for m in self.mentions(text)))

    def mentions(self, text: str) -> list[Mention]:
        """Every mention, ordered by where each company is first mentioned; a name adds
        nothing for a company already written as a symbol."""
        literal = [
            Mention(self._output(m.symbol), m.kind, m.start, m.end)
            for m in self._explicit(text) + self._marked(text) + self._bare(text)
        ]
        written = {self.table.by_symbol.get(m.symbol, m.symbol) for m in literal}
        names = self._names(text)
        first: dict[str, int] = {}  # company -> where it is first mentioned, in any way
        for m in sorted([*literal, *names], key=lambda m: m.start):
            first.setdefault(self.table.by_symbol.get(m.symbol, m.symbol), m.start)
        named = [self._named(m) for m in names if m.symbol not in written]
        return sorted(
            literal + named,
            key=lambda m: (
                first.get(self.table.by_symbol.get(m.symbol, m.symbol), m.start),
                m.start,
            ),
        )

    # -- resolution ----------------------------------------------------------------------

    def _output(self, symbol: str) -> str:
        """The symbol to report for ``symbol`` as written: itself, its company's current
        symbol if it was renamed, or the company's symbol in the universe."""
        company = self.table.company_of(symbol)
        if company is None:
            return symbol
        if self.universe is not None:
            if symbol in self.universe:
                return symbol
            for candidate in (*company.symbols, *company.former):
                if candidate in self.universe:
                    return candidate
        return self.table.former.get(symbol, symbol)

    def _named(self, mention: Mention) -> Mention:
        """A name speaks for the company (``mention.symbol`` holds its key): its primary
        symbol, or its symbol in the universe."""
        company = self.table.companies[mention.symbol]
        return Mention(self._output(company.primary), mention.kind, mention.start, mention.end)

    # -- the rules -------------------------------------------------------------------------

    def _explicit(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        for match in _CASHTAG.finditer(text):
            raw = match.group(1)
            symbol = raw.upper() + (f".{match.group(2).upper()}" if match.group(2) else "")
            known = self.table.is_known(symbol)
            if not known and (not raw.isupper() or symbol in _FIAT or not self.unknown_cashtags):
                continue
            found.append(Mention(symbol, "explicit", match.start(), match.end()))
        for match in _EXCHANGE.finditer(text):
            symbol = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
            found.append(Mention(symbol, "explicit", match.start(), match.end()))
        return found

    def _marked(self, text: str) -> list[Mention]:
        found: list[Mention] = []
        for pattern in (_PAREN, _HASHTAG):
            for match in pattern.finditer(text):
                symbol = match.group(1)
                if pattern is _PAREN and match.group(2):
                    symbol += f".{match.group(2)}"
                if self.table.is_known(symbol) and symbol not in WORD_TICKERS:
                    found.append(Mention(symbol, "marked", match.start(), match.end()))
        return found

    def _bare(self, text: str) -> list[Mention]:
        shouted = [w for w in _CAPS_WORD.findall(text) if not self.table.is_known(w)]
        if len(shouted) >= 3:
            return []  # a text in capitals: capitals say nothing about tickers
        found: list[Mention] = []
        for match in _BARE.finditer(text):
            symbol = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
            if symbol in WORD_TICKERS or not self.table.is_known(symbol):
                continue
            if len(match.group(1)) == 2 and not _STOCK_WORD.match(text, match.end()):
                continue
            found.append(Mention(symbol, "bare", match.start(), match.end()))
        return found

    def _names(self, text: str) -> list[Mention]:
        tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        raw = [token for token, _, _ in tokens]
        words = [_strip_possessive(token) for token in raw]
        index = self.table.names
        found: list[Mention] = []
        finance: bool | None = None
        i = 0
        while i < len(words):
            entries = index.get(raw[i], []) + index.get(words[i], [])
            matched = 0
            for entry in entries:
                n = len(entry.tokens)
                written = (*words[i : i + n - 1], raw[i + n - 1]) if i + n <= len(raw) else ()
                if entry.tokens not in (tuple(words[i : i + n]), written):
                    continue
                if words[i - 1 : i] == ["Price"] and entry.tokens == ("Target",):
                    break  # "Price Target": the analysts' phrase, not the retailer
                following = words[i + n].lower() if i + n < len(words) else ""
                if following in _NOT_THE_COMPANY.get(entry.tokens[0], ()):
                    break
                if entry.needs_context:
                    if finance is None:
                        finance = _FINANCE.search(text) is not None
                    if not finance:
                        break
                found.append(Mention(entry.company, "name", tokens[i][1], tokens[i + n - 1][2]))
                matched = n
                break
            i += matched or 1
        return found


def _strip_possessive(token: str) -> str:
    if token.endswith(("'s", "’s")) and len(token) > 2:
        return token[:-2]
    return token


@cache
def _default_extractor() -> TickerExtractor:
    return TickerExtractor()


def extract_tickers(text: str) -> tuple[str, ...]:
    """:meth:`TickerExtractor.extract` with the bundled table and no universe."""
    return _default_extractor().extract(text)
