"""BacktestJobs — STUB, to be written (helper C). Backtests in the background."""

from __future__ import annotations

from collections.abc import Callable

from tradebot.config import Settings
from tradebot.service.events import EventHub

__all__ = ["BacktestJobs"]


class BacktestJobs:
    def __init__(self, settings: Callable[[], Settings], events: EventHub) -> None:
        self._settings = settings
        self._events = events

    def close(self) -> None:
        return None
