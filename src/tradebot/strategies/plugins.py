"""Finding strategies outside the package: entry points and a user directory.

Two sources, both checked class by class:

* the ``tradebot.strategies`` entry-point group of installed distributions, each entry
  naming a :class:`BaseStrategy` subclass (``momentum_x = "mypkg.strat:MomentumX"``); the
  entry-point name must equal the class's ``name``;
* a user directory of ``*.py`` files (``_``-prefixed files skipped), each defining one or more
  BaseStrategy subclasses; classes merely imported into a file are not picked up again.

Defaults come from a YAML file beside the code — ``<name>.yaml``, else ``<file stem>.yaml``
— merged under the parameter model's own defaults and validated at load time. Anything wrong
with one plugin (import error, not a strategy, bad defaults, warm-up raising) becomes a
:class:`PluginProblem` — one line naming the file or entry point — and that plugin is left
out; the others still load. Loading user code runs it: point ``TRADEBOT_STRATEGY_DIR`` only
at code you trust.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from tradebot.domain.errors import TradebotError
from tradebot.strategies.base import BaseStrategy, StrategyParams
from tradebot.strategies.parameters import parse_params, yaml_defaults

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginProblem",
    "StrategySpec",
    "from_directory",
    "from_entry_points",
    "spec_of",
]

ENTRY_POINT_GROUP = "tradebot.strategies"
_USER_MODULE_PREFIX = "tradebot_user_strategy_"


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A loadable strategy: its class, validated default parameters and where it came from."""

    name: str
    strategy: type[BaseStrategy[Any]]
    defaults: Mapping[str, Any]
    params: StrategyParams
    warmup_period: int
    origin: str

    @property
    def description(self) -> str:
        """First line of the class's own docstring (else its module's; never BaseStrategy's)."""
        module = inspect.getmodule(self.strategy)
        for doc in (self.strategy.__doc__, module.__doc__ if module else None):
            if doc and doc.strip():
                return inspect.cleandoc(doc).splitlines()[0]
        return ""


@dataclass(frozen=True, slots=True)
class PluginProblem:
    """Why one plugin was left out."""

    origin: str
    message: str

    def one_line(self) -> str:
        return f"{self.origin}: {self.message}"


def spec_of(cls: type[BaseStrategy[Any]], defaults: Mapping[str, Any], origin: str) -> StrategySpec:
    """Validate ``cls`` and its defaults; raises TradebotError/Exception on any problem."""
    params = parse_params(cls.name, cls.params_model, defaults, {})
    warmup = cls(params).warmup_period
    if not isinstance(warmup, int) or warmup < 1:
        raise ValueError(f"warmup_period must be an int >= 1, got {warmup!r}")
    return StrategySpec(cls.name, cls, dict(defaults), params, warmup, origin)


def _not_a_strategy(obj: object) -> str | None:
    if not (isinstance(obj, type) and issubclass(obj, BaseStrategy)):
        return f"{obj!r} is not a BaseStrategy subclass"
    if inspect.isabstract(obj):
        return f"{obj.__name__} is abstract (implement warmup_period, on_bar and reset)"
    name = getattr(obj, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        return f"{obj.__name__}.name must be an identifier-like string, got {name!r}"
    model = getattr(obj, "params_model", None)
    if not (isinstance(model, type) and issubclass(model, StrategyParams)):
        return f"{obj.__name__}.params_model must be a StrategyParams subclass"
    return None


def _sibling_defaults(cls: type[BaseStrategy[Any]], file: Path | None) -> dict[str, Any]:
    if file is None:
        return {}
    for candidate in (file.with_name(f"{cls.name}.yaml"), file.with_suffix(".yaml")):
        if candidate.is_file():
            return yaml_defaults(candidate)
    return {}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TradebotError):
        return exc.message
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _file_of(cls: type) -> Path | None:
    try:
        found = inspect.getsourcefile(cls)
    except TypeError:
        return None
    return Path(found) if found else None


def from_entry_points(
    group: str = ENTRY_POINT_GROUP,
) -> tuple[list[StrategySpec], list[PluginProblem]]:
    specs: list[StrategySpec] = []
    problems: list[PluginProblem] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        dist = getattr(ep, "dist", None)
        origin = f"entry point {ep.name!r} ({ep.value}" + (f", {dist.name})" if dist else ")")
        try:
            obj = ep.load()
            wrong = _not_a_strategy(obj)
            if wrong is None and obj.name != ep.name:
                wrong = f"entry-point name differs from the strategy's name {obj.name!r}"
            if wrong is not None:
                problems.append(PluginProblem(origin, wrong))
                continue
            specs.append(spec_of(obj, _sibling_defaults(obj, _file_of(obj)), origin))
        except Exception as exc:
            problems.append(PluginProblem(origin, _describe(exc)))
    return specs, problems


def _load_file(path: Path) -> ModuleType:
    module_name = _USER_MODULE_PREFIX + path.stem
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError("not a loadable Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # pydantic resolves annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def from_directory(directory: Path) -> tuple[list[StrategySpec], list[PluginProblem]]:
    specs: list[StrategySpec] = []
    problems: list[PluginProblem] = []
    if not directory.is_dir():
        return specs, [PluginProblem(str(directory), "strategy directory does not exist")]
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        try:
            module = _load_file(path)
        except (Exception, SystemExit) as exc:
            problems.append(PluginProblem(str(path), _describe(exc)))
            continue
        found = [
            obj
            for obj in vars(module).values()
            if isinstance(obj, type)
            and issubclass(obj, BaseStrategy)
            and obj.__module__ == module.__name__
            and not inspect.isabstract(obj)
        ]
        if not found:
            problems.append(PluginProblem(str(path), "defines no BaseStrategy subclass"))
        for cls in found:
            origin = f"{path} ({cls.__name__})"
            wrong = _not_a_strategy(cls)
            if wrong is not None:
                problems.append(PluginProblem(origin, wrong))
                continue
            try:
                specs.append(spec_of(cls, _sibling_defaults(cls, path), origin))
            except Exception as exc:
                problems.append(PluginProblem(origin, _describe(exc)))
    return specs, problems
