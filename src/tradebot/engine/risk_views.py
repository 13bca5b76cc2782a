"""The kernel's ledger, orders and signals as the risk engine's read-only views.

The risk engine never touches :class:`~tradebot.engine.portfolio.Portfolio` or the
:class:`~tradebot.engine.order_manager.OrderManager`; before each call the stage takes a
small frozen snapshot of them (:func:`portfolio_view`): cash, equity at the last marks,
the long positions, the symbols with an order still open (bracket children do not count:
a protective stop is not a pending entry) and the cash promised to open buy orders.

Asset class, lot and tick come from the symbol's :class:`~tradebot.domain.instrument.
Instrument` (the venue's or the bundled table's, handed in by the runtime), never from the
symbol's spelling; ``instrument_of`` answers with
:func:`~tradebot.domain.instrument.fallback_instrument` for a symbol nobody described.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from tradebot.domain.enums import Direction
from tradebot.domain.instrument import Instrument, fallback_instrument
from tradebot.domain.messages import Signal
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.risk.views import PositionView, SignalView, StaticPortfolio

__all__ = ["InstrumentOf", "instruments_from", "portfolio_view", "signal_view"]

InstrumentOf = Callable[[str], Instrument]
"""symbol → its instrument."""


def instruments_from(known: Mapping[str, Instrument]) -> InstrumentOf:
    """The lookup of ``known``, falling back to :func:`fallback_instrument`."""

    def instrument_of(symbol: str) -> Instrument:
        found = known.get(symbol)
        return fallback_instrument(symbol) if found is None else found

    return instrument_of


def signal_view(signal: Signal, instrument: Instrument, *, is_micro: bool = False) -> SignalView:
    price = Decimal(repr(signal.price))
    return SignalView(
        id=signal.id,
        symbol=signal.symbol,
        ts=signal.ts,
        direction=signal.direction,
        confidence=signal.confidence,
        price=price,
        asset_class=instrument.asset_class,
        lot_size=instrument.lot_size,
        tick_size=instrument.tick_at(price),
        is_micro=is_micro,
        strategies=tuple(signal.sources),
    )


def portfolio_view(
    portfolio: Portfolio, orders: OrderManager, instrument_of: InstrumentOf
) -> StaticPortfolio:
    """A frozen snapshot of the ledger and the open orders, marked at the last closes.

    Short positions (the reference stage's) count in equity but are not offered to the
    engine, which trades long only."""
    positions: dict[str, PositionView] = {}
    for symbol, pos in portfolio.positions.items():
        if pos.side is not Direction.LONG:
            continue
        mark = portfolio.mark(symbol)
        instrument = instrument_of(symbol)
        positions[symbol] = PositionView(
            symbol=symbol,
            quantity=pos.quantity,
            avg_price=pos.avg_price,
            last_price=pos.avg_price if mark is None else Decimal(repr(mark)),
            opened_at=pos.opened_at,
            asset_class=instrument.asset_class,
            lot_size=instrument.lot_size,
        )
    open_orders = orders.open_orders()
    return StaticPortfolio(
        cash=portfolio.cash,
        equity=portfolio.equity(),
        positions=positions,
        pending_symbols=frozenset(o.symbol for o in open_orders),
        reserved_cash=orders.reserved_cash() if open_orders else Decimal(0),
    )
