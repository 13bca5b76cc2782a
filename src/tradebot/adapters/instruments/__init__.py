"""Instrument providers: each symbol's tick, lot, minimums, asset class and calendar.

:class:`BundledInstruments` answers from the table shipped with the package, offline; venue
adapters (Alpaca, CCXT) will answer from the venue's own listing behind the same port,
:class:`~tradebot.ports.InstrumentProvider`.
"""

from tradebot.adapters.instruments.bundled import (
    FRACTIONAL_MIN_NOTIONAL,
    FRACTIONAL_SHARE_LOT,
    BundledInstruments,
    bundled_instruments,
    parse_instruments,
    us_equity,
)

__all__ = [
    "FRACTIONAL_MIN_NOTIONAL",
    "FRACTIONAL_SHARE_LOT",
    "BundledInstruments",
    "bundled_instruments",
    "parse_instruments",
    "us_equity",
]
