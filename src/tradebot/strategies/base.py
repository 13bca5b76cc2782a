"""What a strategy is to the kernel: a pure transform from bars to opinions.

A strategy owns no orders and no money (the decision stage and portfolio do). It sees one
bar at a time, in order, for one symbol, so it cannot read the future; ``reset`` returns it
to its initial state. Parameters are a frozen pydantic model, so a bad value is refused
with the parameter named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tradebot.domain.bar import Bar
from tradebot.domain.enums import Direction

__all__ = ["Opinion", "Strategy", "StrategyFactory"]


@dataclass(frozen=True, slots=True)
class Opinion:
    """A strategy's view on the bar it was just shown."""

    direction: Direction
    strength: float
    confidence: float


class Strategy(Protocol):
    name: str
    warmup_period: int

    def on_bar(self, bar: Bar) -> Opinion | None:
        """Opinion after ``bar`` closed, or ``None`` when it has none (e.g. in warm-up)."""
        ...

    def reset(self) -> None: ...


class StrategyFactory(Protocol):
    """Makes one independent strategy instance per symbol."""

    name: str

    @property
    def warmup_period(self) -> int:
        """Bars a fresh instance needs before it can have an opinion."""
        ...

    def __call__(self, symbol: str) -> Strategy: ...
