"""Enumerations shared by every message and table.

They are ``StrEnum`` so that they serialise as their plain value in JSON, in the
database and on the bus without a custom codec.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "DecisionAction",
    "Direction",
    "Mode",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "ReportKind",
    "Timeframe",
]


class Direction(StrEnum):
    """What a signal asks for: go long, go short (or leave a long), or no opinion."""

    LONG = "long"
    SHORT = "short"
    NEUTRAL = "neutral"


class OrderSide(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class OrderStatus(StrEnum):
    """The order state machine's states (see :mod:`tradebot.domain.order_state`).

    ``FILLED``, ``CANCELLED``, ``REJECTED`` and ``EXPIRED`` are final; ``UNKNOWN`` is our
    own (the reply to a submit was lost) and is left only by what the venue says."""

    NEW = "new"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    PENDING_CANCEL = "pending_cancel"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


class ReportKind(StrEnum):
    """What an execution report says happened to an order
    (:class:`~tradebot.domain.execution.ExecutionReport`).

    ``PARTIALLY_FILLED`` and ``FILLED`` carry one fill each; for an order with a quantity
    the state machine derives which of the two it is from the cumulative quantity.
    ``CANCEL_REJECTED``: the venue refused a cancel request (the order works on)."""

    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    PENDING_CANCEL = "pending_cancel"
    CANCEL_REJECTED = "cancel_rejected"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


class DecisionAction(StrEnum):
    ACT = "act"
    SKIP = "skip"


class Mode(StrEnum):
    """How the kernel is wired. Stages never read it; only the composition root does."""

    BACKTEST = "backtest"
    PAPER = "paper"
    LIVE = "live"


class Timeframe(StrEnum):
    """Bar length. The value is the suffix used in Parquet file names (``AAPL_1d.parquet``)."""

    M1 = "1m"
    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    D1 = "1d"

    @property
    def seconds(self) -> int:
        return _TIMEFRAME_SECONDS[self]


_TIMEFRAME_SECONDS = {
    Timeframe.M1: 60,
    Timeframe.M5: 300,
    Timeframe.M15: 900,
    Timeframe.H1: 3600,
    Timeframe.D1: 86400,
}
