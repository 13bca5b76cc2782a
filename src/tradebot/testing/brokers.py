"""Brokers with injected faults, built on the real paper broker's fill rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tradebot.adapters.paper.broker import PaperBroker
from tradebot.domain.errors import InvalidOrderError, TemporaryBrokerError
from tradebot.domain.messages import Order

__all__ = ["LaggingBroker", "RecordingBroker", "RejectingBroker", "TimeoutBroker"]


class RecordingBroker(PaperBroker):
    """A paper broker that remembers every submit call, duplicates included, and every
    bracket child it was handed (``held``)."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.submitted: list[Order] = []
        self.held: list[Order] = []

    def submit(self, order: Order) -> Order:
        self.submitted.append(order)
        return super().submit(order)

    def submit_bracket(self, entry: Order, children: Sequence[Order]) -> list[Order]:
        sent = super().submit_bracket(entry, children)
        self.held.extend(children)
        return sent

    def received(self) -> set[str]:
        """Client ids of every order the venue was handed (entries, plain orders, children)."""
        return {o.client_order_id for o in (*self.submitted, *self.held)}


class TimeoutBroker(RecordingBroker):
    """Accepts the order at the venue but the reply is lost (a timeout): the caller sees
    :class:`TemporaryBrokerError` although the order exists — the case that must never be
    resubmitted blindly. A bracket is accepted whole (entry and children) before its reply
    is lost."""

    _bracketing = False

    def submit(self, order: Order) -> Order:
        accepted = super().submit(order)
        if self._bracketing:
            return accepted
        raise TemporaryBrokerError("timeout waiting for the venue", "injected by TimeoutBroker")

    def submit_bracket(self, entry: Order, children: Sequence[Order]) -> list[Order]:
        self._bracketing = True
        try:
            super().submit_bracket(entry, children)
        finally:
            self._bracketing = False
        raise TemporaryBrokerError("timeout waiting for the venue", "injected by TimeoutBroker")


class LaggingBroker(TimeoutBroker):
    """Loses the reply to every submit, and its lookups find nothing the first ``hidden``
    times they are asked (a venue that has not indexed the order yet, or a lookup that
    fails): the order manager must keep asking on its schedule, never resubmit, and give
    up (escalate) if the venue never says."""

    def __init__(self, hidden: int, *, reached: bool = True, **settings: Any) -> None:
        """``reached`` False: the submits never got to the venue (only their replies were
        lost otherwise), so no lookup ever finds them and nothing ever fills."""
        super().__init__(**settings)
        self.hidden = hidden
        self.reached = reached
        self.lookups: list[str] = []

    def submit(self, order: Order) -> Order:
        if self.reached:
            return super().submit(order)
        self.submitted.append(order)
        raise TemporaryBrokerError("timeout waiting for the venue", "injected by LaggingBroker")

    def lookup(self, client_order_id: str) -> Order | None:
        self.lookups.append(client_order_id)
        if self.hidden > 0:
            self.hidden -= 1
            return None
        return super().lookup(client_order_id)


class RejectingBroker(RecordingBroker):
    """Refuses every order as invalid."""

    def submit(self, order: Order) -> Order:
        self.submitted.append(order)
        raise InvalidOrderError("insufficient buying power", "injected by RejectingBroker")
