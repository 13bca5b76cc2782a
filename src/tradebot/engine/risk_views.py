"""The kernel's ledger, orders and signals as the risk engine's read-only views.

The risk engine never touches :class:`~tradebot.engine.portfolio.Portfolio` or the
:class:`~tradebot.engine.order_manager.OrderManager`; before each call the stage takes a
small frozen snapshot of them (:func:`portfolio_view`): cash, equity at the last marks,
the long positions, the symbols with an order still open (bracket children do not count:
a protective stop is not a pending entry) and the cash promised to open buy orders.

Asset class comes from the symbol: a pair written ``BASE/QUOTE`` (CCXT) or ``BASE-USD``
(``-USDT``, ``-USDC``) is crypto — traded 24/7 in lots of ``CRYPTO_LOT`` — anything else
an equity in whole shares.
"""

from __future__ import annotations

from decimal import Decimal

from tradebot.domain.enums import Direction
from tradebot.domain.messages import Signal
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.risk.views import AssetClass, PositionView, SignalView, StaticPortfolio

__all__ = ["CRYPTO_LOT", "asset_class", "portfolio_view", "signal_view"]

CRYPTO_LOT = Decimal("0.0001")
_CRYPTO_QUOTES = ("-USD", "-USDT", "-USDC")


def asset_class(symbol: str) -> AssetClass:
    if "/" in symbol or symbol.endswith(_CRYPTO_QUOTES):
        return AssetClass.CRYPTO
    return AssetClass.EQUITY


def _lot(kind: AssetClass) -> Decimal:
    return CRYPTO_LOT if kind is AssetClass.CRYPTO else Decimal(1)


def signal_view(signal: Signal, *, is_micro: bool = False) -> SignalView:
    kind = asset_class(signal.symbol)
    return SignalView(
        id=signal.id,
        symbol=signal.symbol,
        ts=signal.ts,
        direction=signal.direction,
        confidence=signal.confidence,
        price=Decimal(repr(signal.price)),
        asset_class=kind,
        lot_size=_lot(kind),
        is_micro=is_micro,
        strategies=tuple(signal.sources),
    )


def portfolio_view(portfolio: Portfolio, orders: OrderManager) -> StaticPortfolio:
    """A frozen snapshot of the ledger and the open orders, marked at the last closes.

    Short positions (the reference stage's) count in equity but are not offered to the
    engine, which trades long only."""
    positions: dict[str, PositionView] = {}
    for symbol, pos in portfolio.positions.items():
        if pos.side is not Direction.LONG:
            continue
        mark = portfolio.mark(symbol)
        kind = asset_class(symbol)
        positions[symbol] = PositionView(
            symbol=symbol,
            quantity=pos.quantity,
            avg_price=pos.avg_price,
            last_price=pos.avg_price if mark is None else Decimal(repr(mark)),
            opened_at=pos.opened_at,
            asset_class=kind,
            lot_size=_lot(kind),
        )
    open_orders = orders.open_orders()
    return StaticPortfolio(
        cash=portfolio.cash,
        equity=portfolio.equity(),
        positions=positions,
        pending_symbols=frozenset(o.symbol for o in open_orders),
        reserved_cash=orders.reserved_cash() if open_orders else Decimal(0),
    )
