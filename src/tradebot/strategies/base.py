"""What a strategy is to the kernel: a pure transform from bars (and news) to opinions.

A strategy owns no orders and no money (the decision stage and the portfolio do). It is shown
one closed bar at a time, in order, for one symbol, together with a :class:`StrategyContext`
holding that symbol's recent bars and sentiment — so it cannot read the future. Parameters are
a frozen pydantic model, so a bad value is refused naming the strategy, the parameter and the
allowed range. ``reset`` returns an instance to its initial state.

An :class:`Opinion` is a strategy's raw view; the ensemble combines the opinions of all
strategies into the pipeline's ``Signal`` (which carries ids and attribution).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import BaseModel, ConfigDict

from tradebot.domain.bar import Bar
from tradebot.domain.batch import SymbolBars
from tradebot.domain.enums import Direction
from tradebot.domain.fast_init import quick_init
from tradebot.sentiment.context import SentimentContext

__all__ = [
    "BaseStrategy",
    "BatchStrategy",
    "ClosePriceStrategy",
    "Opinion",
    "Strategy",
    "StrategyContext",
    "StrategyFactory",
    "StrategyParams",
]


@quick_init
@dataclass(frozen=True, slots=True)
class Opinion:
    """A strategy's view after the bar it was just shown: direction, strength and confidence
    in 0..1, and a short human reason for the decision trace."""

    direction: Direction
    strength: float
    confidence: float
    reason: str = ""


class StrategyParams(BaseModel):
    """Base of every strategy's parameter model: frozen, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(slots=True)
class StrategyContext:
    """What a strategy may look at besides the bar: this symbol's last ``maxlen`` bars (the
    current one last) and the ticker's sentiment, both maintained by the signal stage."""

    symbol: str
    history: deque[Bar] = field(default_factory=lambda: deque(maxlen=500))
    sentiment: SentimentContext = field(default_factory=SentimentContext)


P = TypeVar("P", bound=StrategyParams)


class Strategy(Protocol):
    @property
    def name(self) -> str:
        """Registry name (read-only, so a ``ClassVar`` on a BaseStrategy subclass satisfies it)."""
        ...

    @property
    def warmup_period(self) -> int: ...

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        """Opinion after ``bar`` closed, or ``None`` when it has none (e.g. in warm-up)."""
        ...

    def reset(self) -> None: ...


@runtime_checkable
class BatchStrategy(Strategy, Protocol):
    """A strategy that can also take a block of bars at once (the kernel's batch path).

    ``on_bars`` must return exactly what calling ``on_bar`` on each bar in turn would return
    — as ``(index in the block, opinion)`` pairs, in order — and leave the same state
    behind, whatever the block boundaries (a property test holds every built-in to this).
    It sees the block's columns, so it *could* read a later bar than the one it answers
    for; ``tradebot lookahead`` and the kernel's look-ahead tests exist to catch that.
    A strategy that reads its :class:`StrategyContext` (news, history) must not offer it —
    except one that reads nothing there but news: the kernel takes the batch path only
    when there is no news source, so on it that context is always empty (``news``).
    """

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]: ...


class BaseStrategy(ABC, Generic[P]):
    """Convenience base: holds validated parameters and declares the hooks."""

    name: ClassVar[str]
    params_model: ClassVar[type[StrategyParams]]

    def __init__(self, params: P) -> None:
        self.params = params
        self.reset()

    @property
    @abstractmethod
    def warmup_period(self) -> int: ...

    @abstractmethod
    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None: ...

    @abstractmethod
    def reset(self) -> None: ...


class StrategyFactory(Protocol):
    """Makes one independent strategy instance per symbol."""

    @property
    def name(self) -> str:
        """Registry name of the strategies it makes (read-only)."""
        ...

    @property
    def warmup_period(self) -> int:
        """Bars a fresh instance needs before it can have an opinion."""
        ...

    def __call__(self, symbol: str) -> Strategy: ...


class ClosePriceStrategy(BaseStrategy[P]):
    """Base of the strategies that look at nothing but the closing price.

    They implement :meth:`on_close`; ``on_bar`` and the batch hook ``on_bars`` both feed it,
    so the kernel's batch path runs them without building a ``Bar`` per bar, and the two
    paths cannot disagree.
    """

    @abstractmethod
    def on_close(self, close: float) -> Opinion | None:
        """Opinion after a bar that closed at ``close``."""

    def on_bar(self, bar: Bar, ctx: StrategyContext | None = None) -> Opinion | None:
        return self.on_close(bar.close)

    def on_bars(self, bars: SymbolBars) -> list[tuple[int, Opinion]]:
        on_close = self.on_close
        out: list[tuple[int, Opinion]] = []
        for i, close in enumerate(bars.close.tolist()):
            opinion = on_close(close)
            if opinion is not None:
                out.append((i, opinion))
        return out
