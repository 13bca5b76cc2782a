"""Crypto spot exchanges through CCXT: broker, execution reports (polling) and bars
(ccxt.pro websocket where the exchange has one, else polling)."""

from tradebot.adapters.ccxt.broker import CcxtBroker
from tradebot.adapters.ccxt.exchange import API_KEY_ENV, SECRET_ENV, credentials_from_env
from tradebot.adapters.ccxt.feed import CcxtBarFeed
from tradebot.adapters.ccxt.reports import CcxtOrderReports

__all__ = [
    "API_KEY_ENV",
    "SECRET_ENV",
    "CcxtBarFeed",
    "CcxtBroker",
    "CcxtOrderReports",
    "credentials_from_env",
]
