"""EngineHost — STUB, to be written (helper C). Runs the configured engine in-process."""

from __future__ import annotations

from collections.abc import Callable

from tradebot.config import Settings
from tradebot.service.events import EventHub

__all__ = ["EngineHost"]


class EngineHost:
    def __init__(self, settings: Callable[[], Settings], events: EventHub) -> None:
        self._settings = settings
        self._events = events

    def current_run_id(self) -> str | None:
        return None

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None
