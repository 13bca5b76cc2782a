"""The risk engine's pure modules: every trade decided, sized, protected and explained.

Pure: no I/O, no clock reads; state and time come in as arguments and a new state comes
out. Money is ``Decimal``; timestamps are UTC-aware. Start at :class:`RiskEngine`; the
invariants and the seed properties each test covers are in ``risk/README.md``.
"""

from tradebot.risk.calendar import Session, SessionCalendar, exchange_sessions
from tradebot.risk.config import DEFAULT_TIERS, RiskConfig
from tradebot.risk.earnings import EarningsCalendar, parse_earnings_csv, parse_earnings_rows
from tradebot.risk.engine import RiskEngine
from tradebot.risk.events import BreakerEvent, Notice, NoticeKind, RiskEvent
from tradebot.risk.lifecycle import FillView
from tradebot.risk.outcome import (
    ExitIntent,
    PositionReview,
    RiskOutcome,
    TrancheOrder,
    TrancheReview,
)
from tradebot.risk.performance import PerformanceMetrics
from tradebot.risk.sectors import SectorTable, parse_sector_table
from tradebot.risk.state import RiskState
from tradebot.risk.stops import ExitReason
from tradebot.risk.tiers import RiskTierConfig, TierChange, TierName
from tradebot.risk.trace import RiskCheck, SizeEffect
from tradebot.risk.views import (
    AssetClass,
    MarketView,
    PortfolioView,
    PositionView,
    ReturnSeries,
    SignalView,
    StaticMarket,
    StaticPortfolio,
)

__all__ = [
    "DEFAULT_TIERS",
    "AssetClass",
    "BreakerEvent",
    "EarningsCalendar",
    "ExitIntent",
    "ExitReason",
    "FillView",
    "MarketView",
    "Notice",
    "NoticeKind",
    "PerformanceMetrics",
    "PortfolioView",
    "PositionReview",
    "PositionView",
    "ReturnSeries",
    "RiskCheck",
    "RiskConfig",
    "RiskEngine",
    "RiskEvent",
    "RiskOutcome",
    "RiskState",
    "RiskTierConfig",
    "SectorTable",
    "Session",
    "SessionCalendar",
    "SignalView",
    "SizeEffect",
    "StaticMarket",
    "StaticPortfolio",
    "TierChange",
    "TierName",
    "TrancheOrder",
    "TrancheReview",
    "exchange_sessions",
    "parse_earnings_csv",
    "parse_earnings_rows",
    "parse_sector_table",
]
