"""What the risk engine reads from the rest of the system: small read-only views.

The engine never touches the kernel's ``Portfolio`` or the bar history directly. The
integrator adapts them to the two protocols below (a few attribute reads each); tests and
benchmarks use the frozen ``Static*`` implementations. What the engine itself remembers
about a position (its stops, entry confidence, micro flag) lives in
:class:`~tradebot.risk.state.RiskState`, not here: the ledger knows quantities and prices,
the risk state knows the risk.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from tradebot.domain.enums import Direction
from tradebot.domain.instrument import AssetClass

__all__ = [
    "AssetClass",
    "MarketView",
    "PortfolioView",
    "PositionView",
    "ReturnSeries",
    "SignalView",
    "StaticMarket",
    "StaticPortfolio",
]


@dataclass(frozen=True, slots=True)
class SignalView:
    """The signal as the risk engine needs it. ``lot_size`` is 1 for whole shares; a crypto
    pair gives its venue's step (``Decimal("0.0001")``). ``is_micro`` marks an intraday
    signal for the micro-trading mode."""

    id: str
    symbol: str
    ts: datetime
    direction: Direction
    confidence: float
    price: Decimal
    asset_class: AssetClass = AssetClass.EQUITY
    lot_size: Decimal = Decimal(1)
    tick_size: Decimal = Decimal("0.01")
    is_micro: bool = False
    strategies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PositionView:
    """One open long position as the ledger holds it."""

    symbol: str
    quantity: Decimal
    avg_price: Decimal
    last_price: Decimal
    opened_at: datetime
    asset_class: AssetClass = AssetClass.EQUITY
    lot_size: Decimal = Decimal(1)

    @property
    def market_value(self) -> Decimal:
        return self.quantity * self.last_price

    @property
    def unrealised_pct(self) -> Decimal:
        return (self.last_price - self.avg_price) / self.avg_price


class PortfolioView(Protocol):
    """Cash, equity (cash + positions at their marks) and open positions by symbol.

    ``pending_symbols`` are symbols with an order still open; ``reserved_cash`` is cash
    already promised to open buy orders."""

    @property
    def cash(self) -> Decimal: ...
    @property
    def equity(self) -> Decimal: ...
    @property
    def positions(self) -> Mapping[str, PositionView]: ...
    @property
    def pending_symbols(self) -> frozenset[str]: ...
    @property
    def reserved_cash(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class ReturnSeries:
    """Daily simple returns of one symbol, oldest first, labelled by session date."""

    dates: tuple[date, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.dates) != len(self.values):
            raise ValueError("a return series needs one date per value")

    @classmethod
    def from_closes(cls, dates: tuple[date, ...], closes: tuple[float, ...]) -> ReturnSeries:
        """Returns of consecutive closes, labelled with the later date."""
        values = tuple(b / a - 1.0 for a, b in itertools.pairwise(closes))
        return cls(dates[1:], values)


class MarketView(Protocol):
    """Per-symbol market facts at decision time; None when unknown."""

    def atr(self, symbol: str) -> float | None: ...
    def last_price(self, symbol: str) -> Decimal | None: ...
    def last_price_time(self, symbol: str) -> datetime | None: ...
    def daily_returns(self, symbol: str) -> ReturnSeries | None: ...
    def high_severity_event(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class StaticPortfolio:
    cash: Decimal
    equity: Decimal
    positions: Mapping[str, PositionView] = field(default_factory=dict)
    pending_symbols: frozenset[str] = frozenset()
    reserved_cash: Decimal = Decimal(0)

    @classmethod
    def of(cls, cash: Decimal, *positions: PositionView) -> StaticPortfolio:
        """A portfolio whose equity is cash plus the positions at their last price."""
        held = {p.symbol: p for p in positions}
        value = sum((p.market_value for p in positions), Decimal(0))
        return cls(cash=cash, equity=cash + value, positions=held)


@dataclass(frozen=True, slots=True)
class StaticMarket:
    atrs: Mapping[str, float] = field(default_factory=dict)
    prices: Mapping[str, Decimal] = field(default_factory=dict)
    price_times: Mapping[str, datetime] = field(default_factory=dict)
    returns: Mapping[str, ReturnSeries] = field(default_factory=dict)
    event: bool = False

    def atr(self, symbol: str) -> float | None:
        return self.atrs.get(symbol)

    def last_price(self, symbol: str) -> Decimal | None:
        return self.prices.get(symbol)

    def last_price_time(self, symbol: str) -> datetime | None:
        return self.price_times.get(symbol)

    def daily_returns(self, symbol: str) -> ReturnSeries | None:
        return self.returns.get(symbol)

    def high_severity_event(self) -> bool:
        return self.event
