"""Alpaca: orders, trade updates, bars and news through alpaca-py (see README.md)."""

from __future__ import annotations

from tradebot.adapters.alpaca.bars import AlpacaBarFeed
from tradebot.adapters.alpaca.broker import AlpacaBroker, MarketClock
from tradebot.adapters.alpaca.credentials import (
    AlpacaCredentials,
    AlpacaEndpoints,
    credentials_from_env,
    endpoints_from_env,
)
from tradebot.adapters.alpaca.news import AlpacaNews
from tradebot.adapters.alpaca.rate_limit import TokenBucket
from tradebot.adapters.alpaca.rest import RestLimits, data_client, news_client, trading_client
from tradebot.adapters.alpaca.trade_updates import AlpacaTradeUpdates

__all__ = [
    "AlpacaBarFeed",
    "AlpacaBroker",
    "AlpacaCredentials",
    "AlpacaEndpoints",
    "AlpacaNews",
    "AlpacaTradeUpdates",
    "MarketClock",
    "RestLimits",
    "TokenBucket",
    "credentials_from_env",
    "data_client",
    "endpoints_from_env",
    "news_client",
    "trading_client",
]
