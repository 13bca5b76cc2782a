"""Built-in strategies by name. Third-party entry points come with the strategy library."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from tradebot.domain.errors import ConfigError
from tradebot.strategies.base import StrategyFactory
from tradebot.strategies.momentum import MomentumFactory, MomentumParams

__all__ = ["available", "make_factory"]

_BUILTIN: dict[str, tuple[type[Any], Any]] = {
    "momentum": (MomentumParams, MomentumFactory),
}


def available() -> list[str]:
    return sorted(_BUILTIN)


def make_factory(name: str, params: dict[str, Any]) -> StrategyFactory:
    """The factory for strategy ``name`` with ``params``; one clear error for either being bad."""
    if name not in _BUILTIN:
        raise ConfigError(f"unknown strategy {name!r}", f"choose one of: {', '.join(available())}")
    params_cls, factory_cls = _BUILTIN[name]
    try:
        parsed = params_cls(**params)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "parameters"
        raise ConfigError(
            f"strategy {name!r}: {where}: {err['msg']}", "fix the strategy parameters"
        ) from exc
    factory: StrategyFactory = factory_cls(parsed)
    return factory
