"""Strategies: pure transforms from one symbol's bars (and news context) to opinions.

Invariants: a strategy sees bars strictly in order and never a bar after the current one;
no I/O, no clock reads; one instance per symbol.
"""

from tradebot.strategies.base import Opinion, Strategy, StrategyFactory
from tradebot.strategies.momentum import MomentumFactory, MomentumParams, SmaCrossMomentum
from tradebot.strategies.registry import available, make_factory

__all__ = [
    "MomentumFactory",
    "MomentumParams",
    "Opinion",
    "SmaCrossMomentum",
    "Strategy",
    "StrategyFactory",
    "available",
    "make_factory",
]
