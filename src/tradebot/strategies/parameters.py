"""Strategy parameters: YAML defaults, merging with overrides, and one clear error.

Defaults live in one place per strategy: the YAML file shipped beside the code
(``tradebot/strategies/params/<name>.yaml``) or, for a user strategy, beside its ``.py``
file. Overrides (config file, ``--param key=value``) win key by key; the merged mapping is
validated by the strategy's frozen pydantic model, which also coerces the strings the command
line passes (``"5"`` → 5). A bad value becomes a :class:`ConfigError` naming the strategy,
the parameter, the value and the allowed range, so the CLI can print it as one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import annotated_types
import yaml
from pydantic import ValidationError

from tradebot.domain.errors import ConfigError
from tradebot.strategies.base import StrategyParams

__all__ = ["allowed_range", "builtin_defaults", "parse_params", "yaml_defaults"]

M = TypeVar("M", bound=StrategyParams)

_HINT = "fix the strategy parameters (`tradebot strategies list` shows them)"


def builtin_defaults(name: str) -> dict[str, Any]:
    """The defaults shipped for built-in strategy ``name`` (empty if it ships none)."""
    resource = resources.files("tradebot.strategies").joinpath("params", f"{name}.yaml")
    if not resource.is_file():
        return {}
    return _parse(resource.read_text(encoding="utf-8"), f"tradebot/strategies/params/{name}.yaml")


def yaml_defaults(path: Path) -> dict[str, Any]:
    """The defaults in a user's YAML file; a malformed file is a one-line ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})", "check the file") from exc
    return _parse(text, str(path))


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        raise ConfigError(f"{where}: not valid YAML ({first})", "fix the file") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ConfigError(
            f"{where}: expected a mapping of parameter names to values", "fix the file"
        )
    return data


def parse_params(
    strategy: str, model: type[M], defaults: Mapping[str, Any], overrides: Mapping[str, Any]
) -> M:
    """``defaults`` updated by ``overrides``, validated by ``model``."""
    merged = {**defaults, **overrides}
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_explain(strategy, model, exc), _HINT) from exc


def _explain(strategy: str, model: type[StrategyParams], exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = err["loc"]
    msg = str(err["msg"]).removeprefix("Value error, ")
    if not loc:
        return f"strategy {strategy!r}: {msg}"
    name = str(loc[0])
    if err["type"] == "extra_forbidden":
        known = ", ".join(model.model_fields) or "none"
        return f"strategy {strategy!r}: unknown parameter {name!r} (parameters: {known})"
    text = f"strategy {strategy!r}: parameter {name!r} = {err.get('input')!r}: {msg}"
    allowed = allowed_range(model, name)
    return f"{text} (allowed: {allowed})" if allowed else text


def allowed_range(model: type[StrategyParams], name: str) -> str:
    """``"1 <= fast <= 1000"`` from the field's bounds ('' for an unbounded field)."""
    field = model.model_fields.get(name)
    if field is None:
        return ""
    low = high = ""
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            low = f"{item.ge} <= "
        elif isinstance(item, annotated_types.Gt):
            low = f"{item.gt} < "
        elif isinstance(item, annotated_types.Le):
            high = f" <= {item.le}"
        elif isinstance(item, annotated_types.Lt):
            high = f" < {item.lt}"
    return f"{low}{name}{high}" if low or high else ""
