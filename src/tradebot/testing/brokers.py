"""Brokers with injected faults, built on the real paper broker's fill rules."""

from __future__ import annotations

from typing import Any

from tradebot.adapters.paper.broker import PaperBroker
from tradebot.domain.errors import InvalidOrderError, TemporaryBrokerError
from tradebot.domain.messages import Order

__all__ = ["RecordingBroker", "RejectingBroker", "TimeoutBroker"]


class RecordingBroker(PaperBroker):
    """A paper broker that remembers every submit call, duplicates included."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.submitted: list[Order] = []

    def submit(self, order: Order) -> Order:
        self.submitted.append(order)
        return super().submit(order)


class TimeoutBroker(RecordingBroker):
    """Accepts the order at the venue but the reply is lost (a timeout): the caller sees
    :class:`TemporaryBrokerError` although the order exists — the case that must never be
    resubmitted blindly."""

    def submit(self, order: Order) -> Order:
        super().submit(order)
        raise TemporaryBrokerError("timeout waiting for the venue", "injected by TimeoutBroker")


class RejectingBroker(RecordingBroker):
    """Refuses every order as invalid."""

    def submit(self, order: Order) -> Order:
        self.submitted.append(order)
        raise InvalidOrderError("insufficient buying power", "injected by RejectingBroker")
