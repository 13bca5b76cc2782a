"""The vectorised strategies by name, for sweeps: ``vector_backtest("macd", open, close, {...})``.

Parameters go through the strategy's own model with its shipped YAML defaults (as
``make_factory`` does for the kernel), so a sweep point means the same thing on both paths
and a bad value is the same one-line ConfigError. Only strategies whose opinions depend on
nothing but the closes are here; each is held to the kernel trade for trade by tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.backtest.vectorized.fills import VectorResult, simulate
from tradebot.backtest.vectorized.macd import macd_signals
from tradebot.backtest.vectorized.mean_reversion import rsi_signals
from tradebot.backtest.vectorized.sma_cross import cross_signals
from tradebot.domain.errors import ConfigError, DataError
from tradebot.signals.ensemble import DEFAULT_THRESHOLD
from tradebot.strategies.base import StrategyParams
from tradebot.strategies.macd import MacdParams
from tradebot.strategies.mean_reversion import RsiMeanReversionParams
from tradebot.strategies.parameters import builtin_defaults, parse_params
from tradebot.strategies.sma_cross import SmaCrossParams

__all__ = ["VECTORISED", "VectorStrategy", "vector_backtest", "vector_params", "vector_signals"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Signals = Callable[[FloatArray, Any, float], tuple[BoolArray, BoolArray]]
"""``(closes, validated params, ensemble threshold) -> (long, short)`` boolean per bar."""


@dataclass(frozen=True, slots=True)
class VectorStrategy:
    name: str
    params_model: type[StrategyParams]
    signals: Signals


def _sma_cross(
    close: FloatArray, params: SmaCrossParams, threshold: float
) -> tuple[BoolArray, BoolArray]:
    if threshold >= 0.5:  # every cross has strength >= 0.5; weaker ones are not computed
        raise ConfigError(
            f"the vectorised sma_cross needs an ensemble threshold below 0.5, got {threshold}",
            "lower the threshold or run the kernel (`tradebot backtest`)",
        )
    return cross_signals(close, params.fast, params.slow)


VECTORISED: Mapping[str, VectorStrategy] = MappingProxyType(
    {
        s.name: s
        for s in (
            VectorStrategy("sma_cross", SmaCrossParams, _sma_cross),
            VectorStrategy("macd", MacdParams, macd_signals),
            VectorStrategy("mean_reversion", RsiMeanReversionParams, rsi_signals),
        )
    }
)


def _strategy(name: str) -> VectorStrategy:
    spec = VECTORISED.get(name)
    if spec is None:
        raise ConfigError(
            f"strategy {name!r} has no vectorised path",
            f"choose one of: {', '.join(VECTORISED)} (or run the kernel)",
        )
    return spec


@cache
def _shipped_defaults(name: str) -> Mapping[str, Any]:
    """The YAML defaults shipped in the package: read once per process (a sweep asks for
    them at every point, and package data does not change under a running process)."""
    return MappingProxyType(builtin_defaults(name))


def vector_params(
    name: str, params: Mapping[str, Any] | StrategyParams | None = None
) -> StrategyParams:
    """``params`` validated for strategy ``name``: the shipped defaults updated by a mapping
    (strings from the command line are coerced), or an instance of its model as is."""
    spec = _strategy(name)
    if isinstance(params, spec.params_model):
        return params
    if isinstance(params, StrategyParams):
        raise ConfigError(
            f"strategy {name!r} takes {spec.params_model.__name__}, got {type(params).__name__}",
            "pass a mapping of parameter names to values",
        )
    return parse_params(name, spec.params_model, _shipped_defaults(name), params or {})


def _closes(values: npt.ArrayLike) -> FloatArray:
    prices = np.ascontiguousarray(values, dtype=np.float64)
    if prices.ndim != 1:
        raise DataError(
            f"closes must be one-dimensional, got shape {prices.shape}", "pass one symbol"
        )
    bad = np.flatnonzero(~np.isfinite(prices))
    if len(bad):
        raise DataError(
            f"close at bar {bad[0]} is {prices[bad[0]]}", "drop or repair the non-finite bars"
        )
    return prices


def vector_signals(
    name: str,
    close: npt.ArrayLike,
    params: Mapping[str, Any] | StrategyParams | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[BoolArray, BoolArray]:
    """``(long, short)``: the bars where strategy ``name`` alone, through an ensemble at
    ``threshold`` (the kernel's default unless given), emits a LONG or a SHORT signal."""
    parsed = vector_params(name, params)
    return _strategy(name).signals(_closes(close), parsed, threshold)


def vector_backtest(
    name: str,
    open_: npt.ArrayLike,
    close: npt.ArrayLike,
    params: Mapping[str, Any] | StrategyParams | None = None,
    *,
    fee: float = 0.001,
    cash: float = 100_000.0,
    threshold: float = DEFAULT_THRESHOLD,
) -> VectorResult:
    """One symbol, strategy ``name``: its signals, then the all-in long-only fill loop."""
    long, short = vector_signals(name, close, params, threshold=threshold)
    return simulate(open_, close, long, short, fee=fee, cash=cash)
