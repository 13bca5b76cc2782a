"""Parameter spaces: ``--param`` specs, grid enumeration, seeded random draws, validation.

A spec is ``name=start:stop:step`` (inclusive; integers when all three are integers, floats
otherwise) or a fixed ``name=value``. The space is the Cartesian product of the axes in the
order given, so combination ``i`` is the same on every machine and every run; random
sampling draws combination indices without replacement from a seeded generator, which is
what makes a sampled study repeatable.

Combinations are validated by the strategy's own parameter model (through ``make_factory``),
so cross-field rules such as ``fast < slow`` live in one place. Invalid combinations are
skipped and counted, never raised: a sweep over ``fast`` and ``slow`` naturally contains
pairs where ``fast >= slow``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product
from pathlib import Path
from typing import Any

from tradebot.domain.errors import ConfigError

__all__ = ["Axis", "ParamSpace", "Validity", "parse_axis", "parse_space"]

Value = int | float | str
_HINT = "write --param name=start:stop:step (e.g. fast=5:20:5) or name=value"
_MAX_VALUES = 100_000


@dataclass(frozen=True, slots=True)
class Axis:
    """One parameter: its name, its values in order, and the range it came from."""

    name: str
    values: tuple[Value, ...]
    kind: str  # "int", "float" or "fixed"
    low: float | None = None
    high: float | None = None
    step: float | None = None


def _number(text: str, spec: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ConfigError(
            f"bad --param {spec!r}: {text.strip()!r} is not a number", _HINT
        ) from None
    if not value.is_finite():
        raise ConfigError(f"bad --param {spec!r}: {text.strip()!r} is not finite", _HINT)
    return value


def _fixed(text: str) -> Value:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def parse_axis(spec: str) -> Axis:
    """One ``--param`` spec as an :class:`Axis`; a malformed one is a one-line ConfigError."""
    name, sep, rest = spec.partition("=")
    name, rest = name.strip(), rest.strip()
    if not sep or not name or not rest:
        raise ConfigError(f"bad --param {spec!r}", _HINT)
    if ":" not in rest:
        return Axis(name, (_fixed(rest),), "fixed")
    parts = rest.split(":")
    if len(parts) != 3:
        raise ConfigError(f"bad --param {spec!r}: a range has three parts", _HINT)
    start, stop, step = (_number(p, spec) for p in parts)
    if step <= 0:
        raise ConfigError(f"bad --param {spec!r}: step must be positive", _HINT)
    if stop < start:
        raise ConfigError(f"bad --param {spec!r}: stop {stop} is below start {start}", _HINT)
    count = int((stop - start) // step) + 1
    if count > _MAX_VALUES:
        raise ConfigError(f"bad --param {spec!r}: {count:,} values", "use a larger step")
    integral = all(v == v.to_integral_value() for v in (start, stop, step))
    # Decimal arithmetic keeps 0.1:0.5:0.1 at exactly five values, which floats would not.
    grid = [start + step * i for i in range(count)]
    values: tuple[Value, ...] = (
        tuple(int(v) for v in grid) if integral else tuple(float(v) for v in grid)
    )
    return Axis(
        name, values, "int" if integral else "float", float(start), float(stop), float(step)
    )


@dataclass(frozen=True, slots=True)
class ParamSpace:
    """The Cartesian product of the axes, addressable by combination index."""

    axes: tuple[Axis, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def size(self) -> int:
        return math.prod(len(a.values) for a in self.axes)

    def combination(self, index: int) -> dict[str, Value]:
        """Combination ``index`` in grid order (the last axis varies fastest)."""
        if not 0 <= index < self.size:
            raise IndexError(index)
        out: dict[str, Value] = {}
        for axis in reversed(self.axes):
            index, digit = divmod(index, len(axis.values))
            out[axis.name] = axis.values[digit]
        return {name: out[name] for name in self.names}

    def grid(self) -> Iterator[dict[str, Value]]:
        """Every combination, in grid order."""
        for values in product(*(a.values for a in self.axes)):
            yield dict(zip(self.names, values, strict=True))

    def sample(self, trials: int, seed: int) -> list[dict[str, Value]]:
        """``trials`` distinct combinations (all of them if fewer), drawn with ``seed``."""
        if trials < 1:
            raise ConfigError(f"--trials {trials} must be at least 1", "pass --trials 20")
        rng = random.Random(seed)
        picks = rng.sample(range(self.size), min(trials, self.size))
        return [self.combination(i) for i in picks]


def parse_space(specs: Sequence[str]) -> ParamSpace:
    """The space of several ``--param`` specs; each name at most once."""
    axes = tuple(parse_axis(s) for s in specs)
    seen: set[str] = set()
    for axis in axes:
        if axis.name in seen:
            raise ConfigError(f"--param {axis.name!r} given twice", "give each parameter once")
        seen.add(axis.name)
    return ParamSpace(axes)


class Validity:
    """Checks combinations with the strategy's parameter model, as ``make_factory`` does.

    The registry is loaded once (loading it per combination would cost milliseconds each,
    minutes for a large grid); ``base`` holds the parameters the configuration already sets,
    which the kernel merges under the swept ones.
    """

    def __init__(
        self, strategy: str, user_dir: Path | None = None, base: dict[str, Any] | None = None
    ) -> None:
        from tradebot.strategies.registry import load_registry, make_factory

        self.strategy = strategy
        self.base = dict(base or {})
        registry = load_registry(user_dir)
        spec = registry.specs.get(strategy)
        if spec is None or strategy in registry.clashes:
            make_factory(strategy, {}, user_dir=user_dir)  # raises the registry's own error
            raise ConfigError(f"unknown strategy {strategy!r}", "see `tradebot strategies list`")
        self._spec = spec

    def check(self, params: dict[str, Any]) -> str | None:
        """``None`` when valid, else the model's one-line reason."""
        from tradebot.strategies.parameters import parse_params

        model = self._spec.strategy.params_model
        try:
            parse_params(self.strategy, model, self._spec.defaults, self.base | params)
        except ConfigError as exc:
            return exc.message
        return None

    def require_known(self, space: ParamSpace) -> None:
        """Raise if a parameter name is not one of the strategy's fields.

        Done once up front, so a typo fails loudly instead of marking every combination
        invalid and leaving an empty table.
        """
        fields = self._spec.strategy.params_model.model_fields
        for name in space.names:
            if name not in fields:
                raise ConfigError(
                    f"strategy {self.strategy!r} has no parameter {name!r}",
                    f"parameters: {', '.join(fields) or 'none'}",
                )
