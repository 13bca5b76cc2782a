"""Pure data types of the trading domain: messages, bars, positions, enums and errors.

Invariants: no I/O, no clock reads; every timestamp UTC-aware; money and quantities Decimal.
"""

from tradebot.domain.bar import BAR_ADAPTER, Bar, validate_bar
from tradebot.domain.enums import (
    DecisionAction,
    Direction,
    Mode,
    OrderSide,
    OrderStatus,
    OrderType,
    Timeframe,
)
from tradebot.domain.errors import (
    BrokerError,
    ConfigError,
    DataError,
    InvalidOrderError,
    StoreError,
    TemporaryBrokerError,
    TradebotError,
    UnknownSymbolError,
)
from tradebot.domain.messages import (
    Article,
    ClosedTrade,
    DecisionCheck,
    Fill,
    Order,
    PortfolioSnapshot,
    ScoredArticle,
    Signal,
    TradingDecision,
)
from tradebot.domain.position import Position

__all__ = [
    "BAR_ADAPTER",
    "Article",
    "Bar",
    "BrokerError",
    "ClosedTrade",
    "ConfigError",
    "DataError",
    "DecisionAction",
    "DecisionCheck",
    "Direction",
    "Fill",
    "InvalidOrderError",
    "Mode",
    "Order",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PortfolioSnapshot",
    "Position",
    "ScoredArticle",
    "Signal",
    "StoreError",
    "TemporaryBrokerError",
    "Timeframe",
    "TradebotError",
    "TradingDecision",
    "UnknownSymbolError",
    "validate_bar",
]
