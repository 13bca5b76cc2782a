"""EventHub — STUB, to be written (helper C). Sequenced fan-out of engine events to /ws."""

from __future__ import annotations

__all__ = ["EventHub"]


class EventHub:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    def bind_loop(self) -> None:
        return None
