"""The engine's fixed inputs, built once: configuration, reference tables and derived helpers.

Everything here is immutable for the life of an engine except the correlation cache, a
memo keyed by its inputs (so it can never make two equal calls disagree). Per-decision
facts about the portfolio (values, sector exposure, heat) are computed once per call by
:func:`book_facts` and shared by the checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tradebot.risk.breakers import BreakerRule, default_rules
from tradebot.risk.calendar import SessionCalendar, local_day
from tradebot.risk.config import RiskConfig
from tradebot.risk.correlation import CorrelationCache
from tradebot.risk.earnings import EarningsCalendar, trading_days_until
from tradebot.risk.heat import portfolio_heat
from tradebot.risk.sectors import SectorTable
from tradebot.risk.sizing import PositionSizer
from tradebot.risk.state import RiskState
from tradebot.risk.tiers import RiskTierConfig
from tradebot.risk.trading_window import TradingWindow
from tradebot.risk.views import PortfolioView

__all__ = ["BookFacts", "EngineContext", "book_facts"]

_ZERO = Decimal(0)


class EngineContext:
    __slots__ = (
        "breaker_rules",
        "calendar",
        "config",
        "correlations",
        "earnings",
        "sectors",
        "sizer",
        "window",
    )

    def __init__(
        self,
        config: RiskConfig,
        sectors: SectorTable,
        earnings: EarningsCalendar,
        calendar: SessionCalendar | None,
    ) -> None:
        self.config = config
        self.sectors = sectors
        self.earnings = earnings
        self.calendar = calendar
        self.window = TradingWindow(calendar, config.window)
        self.sizer = PositionSizer(config.sizing, config.micro)
        self.correlations = CorrelationCache(
            config.sizing.correlation_lookback_days, config.sizing.correlation_min_overlap
        )
        self.breaker_rules: tuple[BreakerRule, ...] = default_rules(config.breakers)

    def tier(self, state: RiskState) -> RiskTierConfig:
        return self.config.tiers[state.tier]

    def earnings_days(self, symbol: str, now: datetime) -> int | None:
        """Trading days from today (New York date) to the next earnings date, if known."""
        today: date = local_day(now)
        upcoming = self.earnings.next_on_or_after(symbol, today)
        if upcoming is None:
            return None
        return trading_days_until(today, upcoming, self.calendar)


@dataclass(frozen=True, slots=True)
class BookFacts:
    """The portfolio as the checks see it, computed once per call."""

    total_value: Decimal
    active_pool: Decimal
    values: Mapping[str, Decimal]
    sector_exposure: Mapping[str, Decimal]
    heat: Decimal

    @property
    def heat_pct(self) -> Decimal:
        return self.heat / self.total_value if self.total_value > 0 else _ZERO


def book_facts(ctx: EngineContext, portfolio: PortfolioView, state: RiskState) -> BookFacts:
    total = portfolio.equity
    values = {s: p.market_value for s, p in portfolio.positions.items()}
    exposure: dict[str, Decimal] = {}
    sector_of = ctx.sectors.sector
    for symbol, value in values.items():
        sector = sector_of(symbol)
        exposure[sector] = exposure.get(sector, _ZERO) + value
    for symbol, plan in state.tranches.items():
        sector = sector_of(symbol)
        exposure[sector] = (
            exposure.get(sector, _ZERO) + plan.remaining_quantity * plan.reference_price
        )
    return BookFacts(
        total_value=total,
        active_pool=total - state.reserve.balance,
        values=values,
        sector_exposure=exposure,
        heat=portfolio_heat(state.stops, values),
    )
