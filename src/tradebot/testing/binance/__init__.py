"""A fake Binance spot venue on 127.0.0.1 for CCXT adapter tests and rehearsals."""

from tradebot.testing.binance.book import SymbolSpec, VenueOrder, VenueTrade
from tradebot.testing.binance.venue import BinanceFaults, BinanceVenue

__all__ = ["BinanceFaults", "BinanceVenue", "SymbolSpec", "VenueOrder", "VenueTrade"]
