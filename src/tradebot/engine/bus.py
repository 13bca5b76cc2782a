"""The in-process bus: a direct dispatch table from topic to handlers.

No queue and no copy per message: ``publish`` calls each subscribed handler in
subscription order, depth first, so the kernel's wiring order *is* the processing order
(the broker sees a bar before the strategies do). A handler that raises stops the run with
the stage named; nothing is swallowed. A Redis Streams bus implements the same two methods,
serialising only at that boundary, so stages never know which bus they are on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tradebot.domain.errors import TradebotError
from tradebot.ports import Handler

__all__ = ["MemoryBus", "StageError", "user_error"]


class StageError(RuntimeError):
    """A handler failed; carries the stage and topic so the log says where."""

    def __init__(self, stage: str, topic: str, cause: BaseException) -> None:
        super().__init__(f"stage {stage!r} failed on topic {topic!r}: {cause}")
        self.stage = stage
        self.topic = topic


def user_error(exc: BaseException) -> TradebotError | None:
    """The user-fixable error behind ``exc`` (through any stage that wrapped it), or None."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TradebotError):
            return seen
        if not isinstance(seen, StageError):
            return None
        seen = seen.__cause__
    return None


class MemoryBus:
    """Synchronous, single-process :class:`tradebot.ports.Bus`."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[tuple[str, Handler]]] = defaultdict(list)

    def subscribe(self, topic: str, handler: Handler, *, stage: str) -> None:
        self._handlers[topic].append((stage, handler))

    def publish(self, topic: str, message: Any) -> None:
        for stage, handler in self._handlers.get(topic, ()):
            try:
                handler(message)
            except StageError:
                raise
            except Exception as exc:
                raise StageError(stage, topic, exc) from exc

    def stages(self, topic: str) -> list[str]:
        """Names of the stages subscribed to ``topic``, in dispatch order."""
        return [stage for stage, _ in self._handlers.get(topic, ())]
