"""The misbehaviour a test can switch on in :class:`~tradebot.testing.alpaca.AlpacaVenue`.

Each counter is consumed as the venue uses it (``submit_429 = 2``: the next two submissions
are refused, the third goes through), so a test states exactly how many times a fault
happens; the flags stay on until cleared.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Faults"]


@dataclass
class Faults:
    submit_504_after_accept: int = 0
    """The next N order submissions are created (the order exists and will work) but
    answered 504 Gateway Timeout: the caller cannot know the order arrived."""

    submit_429: int = 0
    """The next N submissions are answered 429 (rate limited) and NOT created."""

    ack_delay_s: float = 0.0
    """Seconds to wait before answering POST /v2/orders (the order is created first, so a
    client that gives up early finds it by client order id afterwards)."""

    partial_fills: bool = False
    """Fill each order in two executions: a ``partial_fill`` event, then a ``fill``."""

    drop_stream_mid_fill: int = 0
    """The next N order completions: the trade-updates sockets are closed right after the
    ``partial_fill`` (if any) and before the ``fill`` event, which is never sent. The fill
    is still recorded (order, position, cash, account activities)."""

    duplicate_events: bool = False
    """Every trade_updates event is sent twice."""

    reorder_events: bool = False
    """A ``partial_fill`` and the ``fill`` that follows it are sent in swapped order."""

    reject_symbols: set[str] = field(default_factory=set)
    """Orders in these symbols are accepted by REST, then rejected on trade_updates."""
