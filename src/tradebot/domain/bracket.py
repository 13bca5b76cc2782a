"""A bracket's protective children, built from its entry before any venue sees them.

The order manager builds the children itself and records them, with the entry, before the
bracket is sent: a venue can then never hold a stop or a target the store does not know.
Their client ids are derived from the entry's (``<entry>-sl``, ``<entry>-tp``), never
random, so a replayed or resent bracket finds its children again. A child is *held*
(status ``NEW``) for the entry's size until the entry fills; the venue then works it for
the filled quantity, one-cancels-other with its sibling.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from tradebot.domain.enums import OrderSide, OrderStatus, OrderType
from tradebot.domain.messages import Order

__all__ = ["MAX_CLIENT_ID", "bracket_children", "check_children", "child_ids"]

MAX_CLIENT_ID = 40
"""Client order ids must fit the store's column and venues' limits."""
_SL, _TP = "-sl", "-tp"


def child_ids(parent_id: str) -> tuple[str, str]:
    """Deterministic (stop-loss, take-profit) ids of a bracket entry's children."""
    base = parent_id[: MAX_CLIENT_ID - len(_SL)]
    return base + _SL, base + _TP


def bracket_children(
    entry: Order, stop_loss: Decimal | None, take_profit: Decimal | None
) -> tuple[Order, ...]:
    """The held children of ``entry``: a STOP at ``stop_loss`` and/or a LIMIT at
    ``take_profit`` on the other side, stop first, one per level given (at least one)."""
    if stop_loss is None and take_profit is None:
        raise ValueError("a bracket needs a stop-loss, a take-profit or both")
    sl_id, tp_id = child_ids(entry.client_order_id)
    side = OrderSide.SELL if entry.side is OrderSide.BUY else OrderSide.BUY
    held = {"side": side, "status": OrderStatus.NEW, "broker_order_id": None, "reason": ""}
    children: list[Order] = []
    if stop_loss is not None:
        stop = {"type": OrderType.STOP, "stop_price": stop_loss, "limit_price": None}
        children.append(entry.evolve(**held, **stop, client_order_id=sl_id))
    if take_profit is not None:
        target = {"type": OrderType.LIMIT, "limit_price": take_profit, "stop_price": None}
        children.append(entry.evolve(**held, **target, client_order_id=tp_id))
    return tuple(children)


def check_children(entry: Order, children: Sequence[Order]) -> None:
    """Refuse (``ValueError``: the caller's bug) anything but one or two protective
    children of ``entry``: a STOP and/or a LIMIT, each once, on the other side, for the
    entry's symbol — what a venue takes as a bracket."""
    side = OrderSide.SELL if entry.side is OrderSide.BUY else OrderSide.BUY
    kinds = [c.type for c in children]
    if not children or len(set(kinds)) != len(kinds):
        raise ValueError("a bracket needs a stop-loss, a take-profit or both, each once")
    for child in children:
        if child.type not in (OrderType.STOP, OrderType.LIMIT) or child.side is not side:
            raise ValueError(f"{child.client_order_id} is not a protective child of the entry")
        if child.symbol != entry.symbol or child.client_order_id == entry.client_order_id:
            raise ValueError(f"{child.client_order_id} is not a protective child of the entry")
