"""Strategies: pure transforms from one symbol's bars (and news context) to opinions.

Invariants: a strategy sees bars strictly in order and never a bar after the current one;
no I/O, no clock reads; one instance per symbol. See README.md in this folder.

``MomentumFactory`` and ``MomentumParams`` are the names the SMA-cross reference strategy
had before it became ``sma_cross``; they remain as aliases of :class:`SmaCrossFactory` and
:class:`SmaCrossParams`. The strategy now registered as ``momentum`` is
:class:`VolumeMomentum`.
"""

from tradebot.strategies.base import (
    BaseStrategy,
    Opinion,
    Strategy,
    StrategyContext,
    StrategyFactory,
    StrategyParams,
)
from tradebot.strategies.bollinger import Bollinger, BollingerParams
from tradebot.strategies.ema_cross import EmaCross, EmaCrossParams
from tradebot.strategies.factory import ClassFactory
from tradebot.strategies.grid import Grid, GridParams
from tradebot.strategies.macd import Macd, MacdParams
from tradebot.strategies.mean_reversion import RsiMeanReversion, RsiMeanReversionParams
from tradebot.strategies.momentum import VolumeMomentum, VolumeMomentumParams
from tradebot.strategies.news import NewsDriven, NewsParams
from tradebot.strategies.plugins import PluginProblem, StrategySpec
from tradebot.strategies.registry import (
    BUILTINS,
    STRATEGY_DIR_ENV,
    Registry,
    available,
    load_registry,
    make_factory,
)
from tradebot.strategies.sma_cross import SmaCross, SmaCrossFactory, SmaCrossParams
from tradebot.strategies.volume_profile import VolumeProfile, VolumeProfileParams
from tradebot.strategies.vwap import Vwap, VwapParams

MomentumFactory = SmaCrossFactory
MomentumParams = SmaCrossParams

__all__ = [
    "BUILTINS",
    "STRATEGY_DIR_ENV",
    "BaseStrategy",
    "Bollinger",
    "BollingerParams",
    "ClassFactory",
    "EmaCross",
    "EmaCrossParams",
    "Grid",
    "GridParams",
    "Macd",
    "MacdParams",
    "MomentumFactory",
    "MomentumParams",
    "NewsDriven",
    "NewsParams",
    "Opinion",
    "PluginProblem",
    "Registry",
    "RsiMeanReversion",
    "RsiMeanReversionParams",
    "SmaCross",
    "SmaCrossFactory",
    "SmaCrossParams",
    "Strategy",
    "StrategyContext",
    "StrategyFactory",
    "StrategyParams",
    "StrategySpec",
    "VolumeMomentum",
    "VolumeMomentumParams",
    "VolumeProfile",
    "VolumeProfileParams",
    "Vwap",
    "VwapParams",
    "available",
    "load_registry",
    "make_factory",
]
