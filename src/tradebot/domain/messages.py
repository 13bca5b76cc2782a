"""The pipeline's messages, one pydantic v2 model per topic (DESIGN.md §2).

They are frozen and refuse unknown keys, so a message means the same thing in every
process. Money and quantities are ``Decimal``; timestamps are UTC-aware. The market bar is
the exception (see :mod:`tradebot.domain.bar`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderStatus, OrderType

__all__ = [
    "Article",
    "ClosedTrade",
    "DecisionCheck",
    "Fill",
    "Message",
    "Order",
    "PortfolioSnapshot",
    "ScoredArticle",
    "Signal",
    "TradingDecision",
    "UtcDatetime",
]


UtcDatetime = AwareDatetime
"""A timezone-aware timestamp (pydantic refuses a naive one in its core, without a Python
validator call per field: messages are built on the hot path)."""


_set_attribute = object.__setattr__


class Message(BaseModel):
    """Base of every bus message: immutable, strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def evolve(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied, like ``model_copy(update=...)`` (no validation:
        for the kernel's own status changes of a message it built), at a quarter of the
        cost — an order changes status a few times in its life, on the hot path."""
        cls = type(self)
        new = cls.__new__(cls)
        fields = self.__dict__.copy()
        fields.update(changes)
        _set_attribute(new, "__dict__", fields)
        _set_attribute(new, "__pydantic_extra__", None)
        _set_attribute(
            new, "__pydantic_fields_set__", self.__pydantic_fields_set__ | changes.keys()
        )
        _set_attribute(new, "__pydantic_private__", None)
        return new


class Article(Message):
    """A news item as fetched, before any scoring."""

    source: str
    url: str
    title: str
    body: str = ""
    published_at: UtcDatetime
    content_hash: str
    symbols_hint: tuple[str, ...] = ()


class ScoredArticle(Message):
    """An article scored for one ticker. One article yields one per ticker it mentions."""

    article: Article
    ticker: str
    score: float = Field(ge=-1.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    model: str
    entities: tuple[str, ...] = ()


class Signal(Message):
    """A strategy (or the ensemble) has an opinion about a ticker at bar time ``ts``."""

    id: str
    ts: UtcDatetime
    symbol: str
    direction: Direction
    strength: float = Field(ge=0.0, le=1.0)
    confidence: float = Field(ge=0.0, le=1.0)
    price: float = Field(gt=0.0)
    sources: dict[str, float] = Field(default_factory=dict)
    contributions: dict[str, float] = Field(
        default_factory=dict, description="each strategy's signed share of the ensemble score"
    )


@dataclass(frozen=True, slots=True)
class DecisionCheck:
    """One step of a decision's reasoning trace: what was checked, on what, with what result.

    A plain frozen dataclass, not a model of its own: every decision carries several, so
    they are built on the hot path; pydantic still validates them wherever a
    :class:`TradingDecision` is decoded (JSON, the bus, the API)."""

    check: str
    passed: bool
    detail: str
    inputs: dict[str, Any] = field(default_factory=dict)


class TradingDecision(Message):
    """Exactly one per signal: act or skip, why, and how big."""

    id: str
    signal_id: str
    ts: UtcDatetime
    symbol: str
    action: DecisionAction
    side: OrderSide | None = None
    quantity: Decimal = Decimal(0)
    notional: Decimal | None = Field(
        default=None, gt=0, description="cash to spend, fees included, instead of a quantity"
    )
    reference_price: Decimal
    reason: str
    trace: tuple[DecisionCheck, ...] = ()
    strategies: tuple[str, ...] = ()


class Order(Message):
    """An order as the order manager asked for it, and its latest known state."""

    client_order_id: str
    decision_id: str
    symbol: str
    side: OrderSide
    type: OrderType = OrderType.MARKET
    quantity: Decimal | None = Field(default=None, gt=0)
    notional: Decimal | None = Field(
        default=None, gt=0, description="buy for this much cash, fees included (all-in sizing)"
    )
    limit_price: Decimal | None = Field(default=None, gt=0)
    stop_price: Decimal | None = Field(
        default=None, gt=0, description="trigger level of a stop or stop-limit order"
    )
    status: OrderStatus = OrderStatus.NEW
    created_at: UtcDatetime
    broker_order_id: str | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _size_given_once(self) -> Order:
        if (self.quantity is None) == (self.notional is None):
            raise ValueError("an order has either a quantity or a notional, not both or neither")
        return self

    @model_validator(mode="after")
    def _prices_match_type(self) -> Order:
        needs_limit = self.type in (OrderType.LIMIT, OrderType.STOP_LIMIT)
        needs_stop = self.type in (OrderType.STOP, OrderType.STOP_LIMIT)
        if needs_limit and self.limit_price is None:
            raise ValueError(f"a {self.type} order needs a limit_price")
        if needs_stop and self.stop_price is None:
            raise ValueError(f"a {self.type} order needs a stop_price")
        return self


class Fill(Message):
    """An execution reported by the broker. ``fill_id`` is unique per venue trade."""

    fill_id: str
    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: Decimal = Field(gt=0)
    price: Decimal = Field(gt=0)
    commission: Decimal = Field(ge=0)
    ts: UtcDatetime


class ClosedTrade(Message):
    """A round trip: a position opened and fully closed again."""

    id: str
    symbol: str
    quantity: Decimal
    entry_ts: UtcDatetime
    exit_ts: UtcDatetime
    entry_price: Decimal
    exit_price: Decimal
    pnl: Decimal
    commission: Decimal
    return_pct: float
    hold_seconds: float
    strategies: tuple[str, ...] = ()
    entry_decision_id: str
    exit_decision_id: str


class PortfolioSnapshot(Message):
    """The ledger at one moment: ``equity == cash + positions_value`` always."""

    ts: UtcDatetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    open_positions: int
    realised_pnl: Decimal
