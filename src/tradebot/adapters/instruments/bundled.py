"""The bundled instrument table as an :class:`~tradebot.ports.InstrumentProvider`.

``tradebot/data/symbols/instruments.csv`` holds one row per symbol the package ships data or
names for (the S&P 500 table, the Parquet sample sets) and the crypto pairs of the shared
data set; where each value comes from is in ``data/PROVENANCE.md``. The file is read once
per process; providers are cheap to build from it.

Two choices a user can see:

- **Fractional equities.** ``fractional_equities=True`` trades every listed equity in lots
  of ``fractional_lot`` (default 1e-9 share, the nine decimals Alpaca accepts) with Alpaca's
  $1 minimum order; otherwise whole shares. Crypto pairs keep their venue's lot either way.
- **Unlisted tickers.** A symbol outside the table that looks like a US ticker (``XYZ``,
  ``BRK.B``, ``BF-B``: 1-5 capitals and an optional class letter) gets the US-equity
  defaults, because every US equity follows the same rules (rule 612 ticks, whole shares or
  the broker's fractional lot, XNYS sessions) and ``tradebot data import`` brings in any of
  them. Anything else, crypto pairs above all (BTC trades in 1e-5 lots, SHIB in lots of 1),
  raises :class:`~tradebot.domain.errors.UnknownSymbolError`: guessing a pair's lot would be
  wrong by orders of magnitude. ``unlisted_equities=False`` refuses unlisted tickers too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files

from tradebot.domain.errors import ConfigError, DataError, UnknownSymbolError
from tradebot.domain.instrument import US_EQUITY_CALENDAR, AssetClass, Instrument

__all__ = [
    "FRACTIONAL_MIN_NOTIONAL",
    "FRACTIONAL_SHARE_LOT",
    "BundledInstruments",
    "bundled_instruments",
    "parse_instruments",
    "us_equity",
]

FRACTIONAL_SHARE_LOT = Decimal("0.000000001")
"""Alpaca accepts fractional share quantities with up to nine decimals."""
FRACTIONAL_MIN_NOTIONAL = Decimal(1)
"""Alpaca's smallest fractional order: $1 worth of shares."""

_TABLE = "instruments.csv"
_COLUMNS = (
    "symbol",
    "asset_class",
    "currency",
    "tick_size",
    "sub_dollar_tick",
    "lot_size",
    "min_quantity",
    "min_notional",
    "calendar",
    "source",
)
_US_TICKER = re.compile(r"[A-Z]{1,5}(?:[.-][A-Z]{1,2})?")
_CRYPTO_QUOTES = ("USD", "USDT", "USDC")
_HINT = (
    "declare it in the configuration under `instruments: {SYMBOL: {tick_size: ..., "
    "lot_size: ...}}`, or trade it through a venue that lists it"
)


def us_equity(symbol: str) -> Instrument:
    """A US equity by the market's common rules: $0.01 tick ($0.0001 below $1, rule 612),
    whole shares, no notional minimum, XNYS sessions."""
    one = Decimal(1)
    return Instrument(
        symbol=symbol,
        asset_class=AssetClass.EQUITY,
        tick_size=Decimal("0.01"),
        sub_dollar_tick=Decimal("0.0001"),
        lot_size=one,
        min_quantity=one,
        min_notional=Decimal(0),
        fractional=False,
        calendar=US_EQUITY_CALENDAR,
        currency="USD",
    )


@cache
def bundled_instruments() -> Mapping[str, Instrument]:
    """Every row of the bundled table by symbol, whole-share equities (read once)."""
    text = files("tradebot.data.symbols").joinpath(_TABLE).read_text(encoding="utf-8")
    return parse_instruments(text)


def parse_instruments(text: str) -> dict[str, Instrument]:
    """The rows of an instrument table (the CSV text of ``instruments.csv``) by symbol; a bad
    header or row, or a symbol listed twice, is one line of DataError naming the line."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise DataError(
            f"{_TABLE} has columns {reader.fieldnames}, expected {', '.join(_COLUMNS)}",
            "restore the file from the package",
        )
    table: dict[str, Instrument] = {}
    for line, row in enumerate(reader, start=2):
        inst = _parse(row, line)
        if inst.symbol in table:
            raise DataError(f"{_TABLE} line {line}: {inst.symbol} is listed twice", _HINT)
        table[inst.symbol] = inst
    return table


def _parse(row: Mapping[str, str], line: int) -> Instrument:
    """One CSV row as an instrument; a bad row is one line of DataError naming it."""
    try:
        lot = Decimal(row["lot_size"])
        sub = row["sub_dollar_tick"]
        return Instrument(
            symbol=row["symbol"],
            asset_class=AssetClass(row["asset_class"]),
            tick_size=Decimal(row["tick_size"]),
            sub_dollar_tick=Decimal(sub) if sub else None,
            lot_size=lot,
            min_quantity=Decimal(row["min_quantity"]),
            min_notional=Decimal(row["min_notional"]),
            fractional=bool(lot % 1),
            calendar=row["calendar"] or None,
            currency=row["currency"],
        )
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise DataError(f"{_TABLE} line {line}: {exc}", _HINT) from exc


class BundledInstruments:
    """:class:`~tradebot.ports.InstrumentProvider` over the bundled table (module docstring)."""

    def __init__(
        self,
        fractional_equities: bool = False,
        *,
        fractional_lot: Decimal = FRACTIONAL_SHARE_LOT,
        unlisted_equities: bool = True,
    ) -> None:
        if not fractional_lot.is_finite() or not 0 < fractional_lot <= 1:
            raise ConfigError(
                f"fractional lot {fractional_lot} is not in (0, 1]",
                "give the venue's quantity step, e.g. 0.000000001",
            )
        self._fractional = fractional_equities
        self._lot = fractional_lot
        self._unlisted = unlisted_equities
        self._table = bundled_instruments()
        self._made: dict[str, Instrument] = {}

    def listed(self, symbol: str) -> bool:
        """Whether the table holds ``symbol`` (or its ``BASE/QUOTE`` spelling)."""
        return _key(symbol) in self._table

    def instrument(self, symbol: str) -> Instrument:
        found = self._find(symbol)
        if found is None:
            raise UnknownSymbolError(f"unknown symbol {symbol!r}: no instrument for it", _HINT)
        return found

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        found = {symbol: self._find(symbol) for symbol in symbols}
        missing = [symbol for symbol, inst in found.items() if inst is None]
        if missing:
            raise UnknownSymbolError(f"unknown symbols: {', '.join(missing)}", _HINT)
        return {symbol: inst for symbol, inst in found.items() if inst is not None}

    def _find(self, symbol: str) -> Instrument | None:
        made = self._made.get(symbol)
        if made is None:
            made = self._make(symbol)
            if made is not None:
                self._made[symbol] = made
        return made

    def _make(self, symbol: str) -> Instrument | None:
        inst = self._table.get(_key(symbol))
        if inst is None:
            if not (self._unlisted and _US_TICKER.fullmatch(symbol)):
                return None
            inst = us_equity(symbol)
        elif inst.symbol != symbol:
            inst = replace(inst, symbol=symbol)
        if self._fractional and inst.asset_class is AssetClass.EQUITY:
            inst = replace(
                inst,
                lot_size=self._lot,
                min_quantity=self._lot,
                min_notional=max(inst.min_notional, FRACTIONAL_MIN_NOTIONAL),
                fractional=bool(self._lot % 1),
            )
        return inst


def _key(symbol: str) -> str:
    """The table's spelling of a pair written ``BASE-QUOTE`` (``BTC-USD`` → ``BTC/USD``)."""
    base, dash, quote = symbol.rpartition("-")
    if dash and base and quote in _CRYPTO_QUOTES:
        return f"{base}/{quote}"
    return symbol
