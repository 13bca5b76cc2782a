"""The pipeline's messages, one type per topic (DESIGN.md §2).

Every message is immutable and means the same thing in every process. Money and quantities
are ``Decimal``; timestamps are UTC-aware.

Two kinds, chosen by how often they are made:

* The trading messages — :class:`Signal`, :class:`TradingDecision`, :class:`Order`,
  :class:`Fill`, :class:`ClosedTrade` — are made for every signal of a backtest, so like the
  market :class:`~tradebot.domain.bar.Bar` they are frozen, slotted, keyword-only dataclasses
  (DESIGN.md §7): building one costs a third of a pydantic model. Their invariants (sizes
  and prices positive, timestamps aware, an order sized once and priced for its type) are
  checked in ``__post_init__``, so a bad one is refused where it is made; their field
  constraints are pydantic annotations, so wherever one crosses a process boundary
  (``tradebot.engine.codec``, the API) pydantic validates it in full.
* News and bookkeeping messages (:class:`Article`, :class:`ScoredArticle`,
  :class:`PortfolioSnapshot`) are pydantic models (:class:`Message`): frozen, unknown keys
  refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Self, TypeVar, dataclass_transform

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderStatus, OrderType
from tradebot.domain.fast_init import dict_init, quick_init

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
"""A timezone-aware timestamp (pydantic refuses a naive one in its core)."""

Positive = Annotated[Decimal, Field(gt=0)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class Message(BaseModel):
    """Base of the pydantic messages: immutable, strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


_T = TypeVar("_T")


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
def _trading_message(cls: type[_T]) -> type[_T]:
    """Make ``cls`` a frozen, keyword-only dataclass that is quick to build and to evolve.

    The dataclass machinery gives ``__eq__``, ``__repr__``, field metadata (for pydantic)
    and refuses attribute assignment; its generated frozen ``__init__`` goes through
    ``object.__setattr__`` per field, so it is replaced by one that fills the instance dict
    directly — same signature, defaults and default factories, then ``__post_init__`` —
    at about a third of the cost."""
    return dict_init(dataclass(frozen=True, kw_only=True)(cls))


class _Evolving:
    """``evolve(**changes)``: a copy with some fields changed, for the trading messages.

    No re-validation — it serves the kernel's own status changes of a message it built
    (an order changes status a few times in its life, on the hot path) — and it refuses a
    name that is not a field."""

    def __post_init__(self) -> None:
        return None

    def evolve(self, **changes: Any) -> Self:
        cls = self.__class__
        known = cls.__dataclass_fields__  # type: ignore[attr-defined]
        for name in changes:  # (a loop over the one or two names beats a set comparison)
            if name not in known:
                unknown = ", ".join(sorted(changes.keys() - known.keys()))
                raise TypeError(f"{cls.__name__} has no field {unknown}")
        values = self.__dict__.copy()
        values.update(changes)
        new = _new(cls)
        _set_attribute(new, "__dict__", values)
        return new


_set_attribute = object.__setattr__
_new = object.__new__


def _naive(what: str) -> ValueError:
    """The error for a naive timestamp (each ``__post_init__`` tests ``tzinfo`` inline:
    they run for every message of a backtest)."""
    return ValueError(f"{what} must be timezone-aware (UTC)")


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


@_trading_message
class Signal(_Evolving):
    """A strategy (or the ensemble) has an opinion about a ticker at bar time ``ts``."""

    id: str
    ts: UtcDatetime
    symbol: str
    direction: Direction
    strength: Unit
    confidence: Unit
    price: Annotated[float, Field(gt=0.0)]
    sources: dict[str, float] = field(default_factory=dict)
    contributions: Annotated[
        dict[str, float], Field(description="each strategy's signed share of the ensemble score")
    ] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise _naive("a signal's ts")
        if not (0.0 <= self.strength <= 1.0 and 0.0 <= self.confidence <= 1.0):
            raise ValueError("a signal's strength and confidence lie in 0..1")
        if not self.price > 0.0:
            raise ValueError(f"a signal's price must be > 0, not {self.price}")


@quick_init
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


@_trading_message
class TradingDecision(_Evolving):
    """Exactly one per signal: act or skip, why, and how big."""

    id: str
    signal_id: str
    ts: UtcDatetime
    symbol: str
    action: DecisionAction
    side: OrderSide | None = None
    quantity: Decimal = Decimal(0)
    notional: Annotated[
        Positive | None, Field(description="cash to spend, fees included, instead of a quantity")
    ] = None
    reference_price: Decimal
    reason: str
    trace: tuple[DecisionCheck, ...] = ()
    strategies: tuple[str, ...] = ()
    order_type: OrderType = OrderType.MARKET
    limit_price: Positive | None = None
    stop_price: Positive | None = None
    stop_loss: Annotated[
        Positive | None, Field(description="protective stop attached to the entry (bracket)")
    ] = None
    take_profit: Annotated[
        Positive | None, Field(description="profit target attached to the entry (bracket)")
    ] = None

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise _naive("a decision's ts")
        if self.notional is not None and not self.notional > 0:
            raise ValueError(f"a decision's notional must be > 0, not {self.notional}")


@_trading_message
class Order(_Evolving):
    """An order as the order manager asked for it, and its latest known state."""

    client_order_id: str
    decision_id: str
    symbol: str
    side: OrderSide
    type: OrderType = OrderType.MARKET
    quantity: Positive | None = None
    notional: Annotated[
        Positive | None,
        Field(description="buy for this much cash, fees included (all-in sizing)"),
    ] = None
    limit_price: Positive | None = None
    stop_price: Annotated[
        Positive | None, Field(description="trigger level of a stop or stop-limit order")
    ] = None
    status: OrderStatus = OrderStatus.NEW
    created_at: UtcDatetime
    broker_order_id: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise _naive("an order's created_at")
        if (self.quantity is None) == (self.notional is None):
            raise ValueError("an order has either a quantity or a notional, not both or neither")
        quantity, notional = self.quantity, self.notional
        if (quantity is not None and not quantity > 0) or (
            notional is not None and not notional > 0
        ):
            raise ValueError(f"an order's size must be > 0, not {quantity or notional}")
        kind = self.type
        if kind is not OrderType.MARKET:
            limit, stop = self.limit_price, self.stop_price
            if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT) and limit is None:
                raise ValueError(f"a {kind} order needs a limit_price")
            if kind in (OrderType.STOP, OrderType.STOP_LIMIT) and stop is None:
                raise ValueError(f"a {kind} order needs a stop_price")
            for name, price in (("limit_price", limit), ("stop_price", stop)):
                if price is not None and not price > 0:
                    raise ValueError(f"an order's {name} must be > 0, not {price}")


@_trading_message
class Fill(_Evolving):
    """An execution reported by the broker. ``fill_id`` is unique per venue trade."""

    fill_id: str
    client_order_id: str
    symbol: str
    side: OrderSide
    quantity: Positive
    price: Positive
    commission: Annotated[Decimal, Field(ge=0)]
    ts: UtcDatetime

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise _naive("a fill's ts")
        if not (self.quantity > 0 and self.price > 0 and self.commission >= 0):
            raise ValueError(
                f"a fill needs quantity > 0, price > 0 and commission >= 0 "
                f"(got {self.quantity}, {self.price}, {self.commission})"
            )


@_trading_message
class ClosedTrade(_Evolving):
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
    direction: Direction = Direction.LONG
    borrow_cost: Annotated[
        Decimal, Field(description="stock-borrow fee of a short, already taken out of pnl")
    ] = Decimal(0)

    def __post_init__(self) -> None:
        if self.entry_ts.tzinfo is None:
            raise _naive("a trade's entry_ts")
        if self.exit_ts.tzinfo is None:
            raise _naive("a trade's exit_ts")


@_trading_message
class PortfolioSnapshot(_Evolving):
    """The ledger at one moment: ``equity == cash + positions_value`` always. A trading
    message (a quick frozen dataclass): a backtest makes one per bar."""

    ts: UtcDatetime
    cash: Decimal
    positions_value: Decimal
    equity: Decimal
    open_positions: int
    realised_pnl: Decimal

    def __post_init__(self) -> None:
        if self.ts.tzinfo is None:
            raise _naive("a snapshot's ts")
