"""The factory the kernel uses: one fresh strategy instance per symbol, same parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tradebot.strategies.base import BaseStrategy, StrategyParams

__all__ = ["ClassFactory"]


@dataclass(frozen=True, slots=True)
class ClassFactory:
    """Builds ``strategy(params)`` for each symbol; ``warmup_period`` is fixed at creation."""

    strategy: type[BaseStrategy[Any]]
    params: StrategyParams
    name: str
    warmup_period: int

    @classmethod
    def of(cls, strategy: type[BaseStrategy[Any]], params: StrategyParams) -> ClassFactory:
        return cls(strategy, params, strategy.name, strategy(params).warmup_period)

    def __call__(self, symbol: str) -> BaseStrategy[Any]:
        return self.strategy(self.params)
