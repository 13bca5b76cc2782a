"""The account, position and asset JSON of the fake venue (Alpaca's field names).

A cash account (multiplier 1, no shorting): buying power is cash less what open buy orders
may cost; equity is cash plus positions at the last published close.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.testing.alpaca.book import Book
from tradebot.testing.alpaca.shapes import account_id, asset_id, fmt, rfc3339

__all__ = ["account_json", "asset_json", "position_json"]


def account_json(book: Book, key_id: str, now: datetime) -> dict[str, Any]:
    cash, power, equity = book.cash, book.buying_power(), book.equity()
    market = book.market_value()
    return {
        "id": account_id(key_id),
        "account_number": "PA" + key_id[-8:].upper().rjust(8, "0"),
        "status": "ACTIVE",
        "crypto_status": "ACTIVE",
        "currency": "USD",
        "cash": fmt(cash),
        "buying_power": fmt(power),
        "regt_buying_power": fmt(power),
        "daytrading_buying_power": "0",
        "non_marginable_buying_power": fmt(power),
        "options_buying_power": fmt(power),
        "accrued_fees": "0",
        "pending_transfer_in": "0",
        "pending_transfer_out": "0",
        "portfolio_value": fmt(equity),
        "equity": fmt(equity),
        "last_equity": fmt(equity),
        "long_market_value": fmt(market),
        "short_market_value": "0",
        "initial_margin": fmt(market),
        "maintenance_margin": fmt(market),
        "last_maintenance_margin": fmt(market),
        "sma": "0",
        "multiplier": "1",
        "pattern_day_trader": False,
        "trading_blocked": False,
        "transfers_blocked": False,
        "account_blocked": False,
        "trade_suspended_by_user": False,
        "shorting_enabled": False,
        "daytrade_count": 0,
        "created_at": rfc3339(now),
        "options_approved_level": 0,
        "options_trading_level": 0,
    }


def position_json(book: Book, symbol: str) -> dict[str, Any]:
    qty, avg = book.positions[symbol]
    last = book.last_price.get(symbol, avg)
    cost, value = qty * avg, qty * last
    pnl = value - cost
    pnl_pc = (pnl / cost).quantize(Decimal("0.0001")) if cost else Decimal(0)
    held = sum(
        (
            (o.qty or Decimal(0)) - o.filled_qty
            for o in book.orders.values()
            if o.is_open and o.side == "sell" and o.symbol == symbol
        ),
        Decimal(0),
    )
    return {
        "asset_id": asset_id(symbol),
        "symbol": symbol,
        "exchange": "NASDAQ",
        "asset_class": "us_equity",
        "asset_marginable": True,
        "qty": fmt(qty),
        "qty_available": fmt(qty - held),
        "avg_entry_price": fmt(avg.quantize(Decimal("0.0001"))),
        "side": "long" if qty > 0 else "short",
        "market_value": fmt(value),
        "cost_basis": fmt(cost),
        "unrealized_pl": fmt(pnl),
        "unrealized_plpc": fmt(pnl_pc),
        "unrealized_intraday_pl": fmt(pnl),
        "unrealized_intraday_plpc": fmt(pnl_pc),
        "current_price": fmt(last),
        "lastday_price": fmt(last),
        "change_today": "0",
    }


def asset_json(symbol: str, fractionable: bool) -> dict[str, Any]:
    """Equity assets; ``price_increment`` and ``min_trade_increment`` say the tick and lot
    (a fractionable asset trades to 1e-9 shares)."""
    step = "0.000000001" if fractionable else "1"
    return {
        "id": asset_id(symbol),
        "class": "us_equity",
        "exchange": "NASDAQ",
        "symbol": symbol,
        "name": f"{symbol} (fake)",
        "status": "active",
        "tradable": True,
        "marginable": True,
        "shortable": False,
        "easy_to_borrow": False,
        "fractionable": fractionable,
        "min_order_size": step,
        "min_trade_increment": step,
        "price_increment": "0.01",
        "maintenance_margin_requirement": 100,
        "attributes": [],
    }
