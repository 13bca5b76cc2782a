"""One order as the fake venue holds it, its Alpaca JSON, and the parsing of a submission.

Refusals raise :class:`VenueError` with the HTTP status and Alpaca's error body
(``{"code": ..., "message": ...}``), which alpaca-py turns into an ``APIError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.testing.alpaca.shapes import asset_id, dec, fmt, new_id, rfc3339

__all__ = ["OPEN_STATUSES", "VenueError", "VenueOrder", "amount", "parse_submission"]

OPEN_STATUSES = frozenset(
    {"new", "accepted", "pending_new", "partially_filled", "pending_cancel", "pending_replace"}
)
TYPES = frozenset({"market", "limit", "stop", "stop_limit"})
TIFS = frozenset({"day", "gtc", "opg", "cls", "ioc", "fok"})
INVALID = 40010001
"""Alpaca's code for an invalid request (also a duplicate client order id)."""
UNPROCESSABLE = 42210000
FORBIDDEN = 40310000
NOT_FOUND = 40410000


class VenueError(Exception):
    """A refusal: the HTTP status and Alpaca's error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


@dataclass
class VenueOrder:
    id: str
    client_order_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal | None
    notional: Decimal | None
    limit_price: Decimal | None
    stop_price: Decimal | None
    extended_hours: bool
    created_at: datetime
    status: str = "accepted"
    updated_at: datetime | None = None
    filled_qty: Decimal = Decimal(0)
    filled_avg_price: Decimal | None = None
    filled_at: datetime | None = None
    canceled_at: datetime | None = None
    failed_at: datetime | None = None
    replaced_at: datetime | None = None
    replaced_by: str | None = None
    replaces: str | None = None
    triggered: bool = False
    """A stop-limit whose stop was reached: it works as a limit order from then on."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def json(self) -> dict[str, Any]:
        """The order in Alpaca's shape (``GET /v2/orders/{id}``, trade_updates' ``order``)."""
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at or self.created_at),
            "submitted_at": rfc3339(self.created_at),
            "filled_at": rfc3339(self.filled_at),
            "expired_at": None,
            "expires_at": None,
            "canceled_at": rfc3339(self.canceled_at),
            "failed_at": rfc3339(self.failed_at),
            "replaced_at": rfc3339(self.replaced_at),
            "replaced_by": self.replaced_by,
            "replaces": self.replaces,
            "asset_id": asset_id(self.symbol),
            "symbol": self.symbol,
            "asset_class": "us_equity",
            "notional": fmt(self.notional),
            "qty": fmt(self.qty),
            "filled_qty": fmt(self.filled_qty),
            "filled_avg_price": fmt(self.filled_avg_price),
            "order_class": "simple",
            "order_type": self.type,
            "type": self.type,
            "side": self.side,
            "position_intent": "buy_to_open" if self.side == "buy" else "sell_to_close",
            "time_in_force": self.time_in_force,
            "limit_price": fmt(self.limit_price),
            "stop_price": fmt(self.stop_price),
            "status": self.status,
            "extended_hours": self.extended_hours,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
            "subtag": None,
            "source": None,
        }


def _invalid(message: str) -> VenueError:
    return VenueError(422, INVALID, message)


def amount(body: dict[str, Any], field: str) -> Decimal | None:
    """A positive decimal field of a request, as Alpaca echoes it ("10.0" -> "10");
    None when absent; a 422 when malformed."""
    if body.get(field) in (None, ""):
        return None
    try:
        value = dec(body[field], field)
    except ValueError as exc:
        raise _invalid(f"invalid {field}") from exc
    if value <= 0:
        raise _invalid(f"{field} must be > 0")
    plain = value.normalize()  # "10.0" -> "10", as Alpaca echoes it
    return plain.quantize(Decimal(1)) if plain == plain.to_integral_value() else plain


def parse_submission(body: dict[str, Any], *, assets: dict[str, bool], now: datetime) -> VenueOrder:
    """A POST /v2/orders body as an order, or the 422 Alpaca answers. ``assets`` maps each
    tradable symbol to whether it is fractionable."""
    symbol = str(body.get("symbol") or "")
    if symbol not in assets:
        raise _invalid(f'asset "{symbol}" not found')
    side, kind, tif = body.get("side"), body.get("type"), body.get("time_in_force")
    if side not in ("buy", "sell"):
        raise _invalid("side is required (buy or sell)")
    if kind not in TYPES:
        raise _invalid(f"order type {kind!r} is not supported")
    if tif not in TIFS:
        raise _invalid("invalid time_in_force")
    if body.get("order_class") not in (None, "", "simple"):
        raise VenueError(422, UNPROCESSABLE, "only simple orders are supported by this venue")
    qty, notional = amount(body, "qty"), amount(body, "notional")
    if (qty is None) == (notional is None):
        raise _invalid("qty or notional is required, not both")
    limit, stop = amount(body, "limit_price"), amount(body, "stop_price")
    if kind in ("limit", "stop_limit") and limit is None:
        raise _invalid("limit_price is required")
    if kind in ("stop", "stop_limit") and stop is None:
        raise _invalid("stop_price is required")
    fractional = notional is not None or (qty is not None and qty != qty.to_integral_value())
    if fractional:
        if not assets[symbol]:
            raise _invalid(f"asset {symbol} is not fractionable")
        if tif != "day" or kind not in ("market", "limit") or (notional and kind != "market"):
            raise _invalid("fractional orders must be DAY market or limit orders")
    client_id = str(body.get("client_order_id") or new_id("client"))
    if len(client_id) > 128:
        raise _invalid("client_order_id must be no more than 128 characters")
    return VenueOrder(
        id=new_id("order"),
        client_order_id=client_id,
        symbol=symbol,
        side=side,
        type=kind,
        time_in_force=tif,
        qty=qty,
        notional=notional,
        limit_price=limit,
        stop_price=stop,
        extended_hours=bool(body.get("extended_hours", False)),
        created_at=now,
    )
