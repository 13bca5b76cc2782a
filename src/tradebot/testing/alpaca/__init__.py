"""A fake Alpaca on 127.0.0.1 that the unpatched alpaca-py SDK talks to through its URL
overrides: trading REST v2, market data bars and news, the trade_updates and market-data
websockets, a small matching engine and fault injection (see README.md)."""

from tradebot.testing.alpaca.faults import Faults
from tradebot.testing.alpaca.venue import AlpacaVenue

__all__ = ["AlpacaVenue", "Faults"]
