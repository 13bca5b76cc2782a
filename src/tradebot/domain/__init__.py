"""Pure data types of the trading domain: messages, bars, positions, enums, errors, and
the order state machine (execution reports applied to order states).

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
    ReportKind,
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
from tradebot.domain.execution import ExecutionReport
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
from tradebot.domain.order_lookup import LookupSchedule
from tradebot.domain.order_state import (
    Applied,
    OrderState,
    Refusal,
    Refused,
    Transition,
    apply,
    outcome_lost,
)
from tradebot.domain.position import Position

__all__ = [
    "BAR_ADAPTER",
    "Applied",
    "Article",
    "Bar",
    "BrokerError",
    "ClosedTrade",
    "ConfigError",
    "DataError",
    "DecisionAction",
    "DecisionCheck",
    "Direction",
    "ExecutionReport",
    "Fill",
    "InvalidOrderError",
    "LookupSchedule",
    "Mode",
    "Order",
    "OrderSide",
    "OrderState",
    "OrderStatus",
    "OrderType",
    "PortfolioSnapshot",
    "Position",
    "Refusal",
    "Refused",
    "ReportKind",
    "ScoredArticle",
    "Signal",
    "StoreError",
    "TemporaryBrokerError",
    "Timeframe",
    "TradebotError",
    "TradingDecision",
    "Transition",
    "UnknownSymbolError",
    "apply",
    "outcome_lost",
    "validate_bar",
]
