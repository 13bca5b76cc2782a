"""Strategies by name: the built-ins, entry-point plugins and a user directory.

The registry is rebuilt on each call (strategies are chosen once per run, so there is no
cache to go stale): built-ins first, then the ``tradebot.strategies`` entry points, then the
``*.py`` files of the user directory (argument, else ``TRADEBOT_STRATEGY_DIR``). A name
defined twice is a clash: the first definition stays listed, and asking for that name is a
ConfigError naming both origins, since silently picking one would run the wrong code. A
plugin that fails to load is a one-line :class:`PluginProblem`; it never stops the others.

:func:`make_factory` merges the strategy's YAML defaults with the overrides (config file,
``--param key=value`` strings, coerced by the parameter model) and validates them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tradebot.domain.errors import ConfigError
from tradebot.strategies.base import BaseStrategy, StrategyFactory
from tradebot.strategies.bollinger import Bollinger
from tradebot.strategies.ema_cross import EmaCross
from tradebot.strategies.factory import ClassFactory
from tradebot.strategies.grid import Grid
from tradebot.strategies.macd import Macd
from tradebot.strategies.mean_reversion import RsiMeanReversion
from tradebot.strategies.momentum import VolumeMomentum
from tradebot.strategies.news import NewsDriven
from tradebot.strategies.parameters import builtin_defaults, parse_params
from tradebot.strategies.plugins import (
    PluginProblem,
    StrategySpec,
    from_directory,
    from_entry_points,
    spec_of,
)
from tradebot.strategies.sma_cross import SmaCross
from tradebot.strategies.volume_profile import VolumeProfile
from tradebot.strategies.vwap import Vwap

__all__ = [
    "BUILTINS",
    "STRATEGY_DIR_ENV",
    "Registry",
    "available",
    "load_registry",
    "make_factory",
]

STRATEGY_DIR_ENV = "TRADEBOT_STRATEGY_DIR"

BUILTINS: tuple[type[BaseStrategy[Any]], ...] = (
    Bollinger,
    EmaCross,
    Grid,
    Macd,
    RsiMeanReversion,
    VolumeMomentum,
    NewsDriven,
    SmaCross,
    VolumeProfile,
    Vwap,
)


@dataclass(frozen=True, slots=True)
class Registry:
    """What could be loaded, what could not, and which names are defined more than once."""

    specs: dict[str, StrategySpec] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    clashes: dict[str, list[str]] = field(default_factory=dict)

    def add(self, spec: StrategySpec) -> None:
        first = self.specs.get(spec.name)
        if first is None:
            self.specs[spec.name] = spec
            return
        origins = self.clashes.setdefault(spec.name, [first.origin])
        origins.append(spec.origin)
        self.problems.append(
            PluginProblem(
                spec.origin,
                f"strategy name {spec.name!r} is already defined by {first.origin}; rename one",
            )
        )

    def names(self) -> list[str]:
        return sorted(self.specs)


def _user_dir(user_dir: Path | str | None) -> Path | None:
    if user_dir is not None:
        return Path(user_dir)
    env = os.environ.get(STRATEGY_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else None


def load_registry(user_dir: Path | str | None = None, *, plugins: bool = True) -> Registry:
    """Built-ins, then (unless ``plugins`` is False) entry points and the user directory."""
    registry = Registry()
    for cls in BUILTINS:
        try:
            registry.add(spec_of(cls, builtin_defaults(cls.name), "built-in"))
        except Exception as exc:  # a broken shipped YAML must still not hide the others
            registry.problems.append(PluginProblem(f"built-in {cls.name!r}", str(exc)))
    if not plugins:
        return registry
    sources = [from_entry_points()]
    directory = _user_dir(user_dir)
    if directory is not None:
        sources.append(from_directory(directory))
    for specs, problems in sources:
        registry.problems.extend(problems)
        for spec in specs:
            registry.add(spec)
    return registry


def available(user_dir: Path | str | None = None) -> list[str]:
    """Names of every strategy that loaded."""
    return load_registry(user_dir).names()


def make_factory(
    name: str,
    params: Mapping[str, Any],
    *,
    user_dir: Path | str | None = None,
    registry: Registry | None = None,
) -> StrategyFactory:
    """The factory for strategy ``name``: YAML defaults updated by ``params``, validated.

    Pass a ``registry`` from :func:`load_registry` when making several factories, so the
    YAML defaults, entry points and user directory are read once, not once per strategy."""
    if registry is None:
        registry = load_registry(user_dir)
    if name in registry.clashes:
        raise ConfigError(
            f"strategy {name!r} is defined more than once: {'; '.join(registry.clashes[name])}",
            "rename or uninstall one of them",
        )
    spec = registry.specs.get(name)
    if spec is None:
        hint = f"choose one of: {', '.join(registry.names())}"
        if registry.problems:
            hint += " (some plugins failed to load: `tradebot strategies list` shows why)"
        raise ConfigError(f"unknown strategy {name!r}", hint)
    parsed = parse_params(name, spec.strategy.params_model, spec.defaults, params)
    return ClassFactory.of(spec.strategy, parsed)
