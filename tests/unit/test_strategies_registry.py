"""Registry, parameters and plugins: YAML defaults, overrides, clear errors, entry points,
the user directory and ``tradebot strategies list``."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import tradebot.strategies as strategies
from tests.unit.test_strategies_support import LONG, bars_of, events, run
from tradebot.cli import app
from tradebot.domain import ConfigError
from tradebot.strategies import (
    STRATEGY_DIR_ENV,
    ClassFactory,
    SmaCross,
    SmaCrossParams,
    available,
    load_registry,
    make_factory,
)
from tradebot.strategies.parameters import builtin_defaults

BUILTIN_NAMES = {
    "bollinger",
    "ema_cross",
    "grid",
    "macd",
    "mean_reversion",
    "momentum",
    "news",
    "sma_cross",
    "volume_profile",
    "vwap",
}


@pytest.fixture(autouse=True)
def _no_user_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STRATEGY_DIR_ENV, raising=False)


# --- built-ins, YAML defaults, overrides ----------------------------------------------------


def test_every_builtin_is_available_and_loads_without_problems() -> None:
    registry = load_registry()
    assert set(available()) >= BUILTIN_NAMES
    assert not [p for p in registry.problems if p.origin.startswith("built-in")]
    for name in BUILTIN_NAMES:
        spec = registry.specs[name]
        assert spec.origin == "built-in"
        assert spec.description, name
        assert spec.strategy.__module__.startswith("tradebot.strategies.")
        assert spec.strategy.__doc__ and spec.strategy.__module__, name


@pytest.mark.parametrize("name", sorted(BUILTIN_NAMES))
def test_shipped_yaml_lists_every_parameter_and_agrees_with_the_model(name: str) -> None:
    defaults = builtin_defaults(name)
    model = load_registry(plugins=False).specs[name].strategy.params_model
    assert set(defaults) == set(model.model_fields), name
    assert model.model_validate(defaults) == model(), name


def test_factory_has_name_warmup_and_makes_independent_instances() -> None:
    factory = make_factory("sma_cross", {"fast": 3, "slow": 8})
    assert factory.name == "sma_cross"
    assert factory.warmup_period == 8
    a, b = factory("AAA"), factory("BBB")
    assert a is not b
    assert isinstance(a, SmaCross) and a.params == SmaCrossParams(fast=3, slow=8)


def test_yaml_defaults_are_used_and_overrides_win_key_by_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tradebot.strategies.registry as registry

    def shipped(name: str) -> dict[str, object]:
        return {"fast": 4, "slow": 9} if name == "sma_cross" else builtin_defaults(name)

    monkeypatch.setattr(registry, "builtin_defaults", shipped)
    factory = make_factory("sma_cross", {"slow": "20"})
    assert isinstance(factory, ClassFactory)
    assert factory.params == SmaCrossParams(fast=4, slow=20)
    assert load_registry(plugins=False).specs["sma_cross"].warmup_period == 9


def test_command_line_strings_are_coerced_by_the_model() -> None:
    factory = make_factory("bollinger", {"period": "10", "k": "1.5", "min_bandwidth": "0"})
    assert isinstance(factory, ClassFactory)
    assert factory.params.model_dump() == {"period": 10, "k": 1.5, "min_bandwidth": 0.0}
    grid = make_factory("grid", {"lower": "90", "upper": "110"})
    assert isinstance(grid, ClassFactory)
    assert grid.params.model_dump()["lower"] == 90.0


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("nope", {}, "unknown strategy 'nope'"),
        ("macd", {"fats": 3}, "strategy 'macd': unknown parameter 'fats' (parameters: fast,"),
        ("macd", {"fast": 0}, "strategy 'macd': parameter 'fast' = 0: "),
        ("macd", {"fast": 0}, "(allowed: 1 <= fast <= 500)"),
        ("sma_cross", {"slow": "abc"}, "parameter 'slow' = 'abc': Input should be a valid integer"),
        ("sma_cross", {"fast": 30, "slow": 10}, "strategy 'sma_cross': fast (30) must be smaller"),
        ("bollinger", {"k": 0}, "(allowed: 0 < k <= 10)"),
        ("vwap", {"threshold": 0.9}, "(allowed: 0 < threshold <= 0.5)"),
        ("volume_profile", {"value_area": 1}, "(allowed: 0 < value_area < 1)"),
    ],
)
def test_bad_names_and_values_are_one_clear_config_error(
    name: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        make_factory(name, params)
    line = caught.value.one_line()
    assert message in line
    assert "\n" not in line


def test_unknown_strategy_lists_the_choices() -> None:
    with pytest.raises(ConfigError) as caught:
        make_factory("nope", {})
    assert "momentum" in caught.value.hint and "sma_cross" in caught.value.hint


def test_legacy_names_still_build_the_sma_cross_reference_strategy() -> None:
    factory = strategies.MomentumFactory(strategies.MomentumParams(fast=3, slow=8))
    assert strategies.MomentumParams is SmaCrossParams
    assert factory.warmup_period == 8 and isinstance(factory("X"), SmaCross)


def test_public_surface_is_fenced_by_all() -> None:
    assert set(strategies.__all__) == {n for n in dir(strategies) if not n.startswith("_")} - {
        "base",
        "bollinger",
        "cross",
        "ema_cross",
        "ma_cross",
        "factory",
        "grid",
        "macd",
        "mean_reversion",
        "momentum",
        "news",
        "parameters",
        "plugins",
        "registry",
        "sma_cross",
        "volume_profile",
        "vwap",
    }


# --- plugins: a user directory --------------------------------------------------------------

EVERY_N = '''
"""A user strategy for the tests."""
from pydantic import Field

from tradebot.domain import Direction
from tradebot.strategies import BaseStrategy, Opinion, StrategyParams


class EveryNParams(StrategyParams):
    n: int = Field(default=3, ge=1, le=100)


class EveryN(BaseStrategy[EveryNParams]):
    """Says long on every n-th bar."""

    name = "every_n"
    params_model = EveryNParams

    @property
    def warmup_period(self) -> int:
        return self.params.n

    def reset(self) -> None:
        self._count = 0

    def on_bar(self, bar, ctx=None):
        self._count += 1
        if self._count % self.params.n:
            return None
        return Opinion(Direction.LONG, 1.0, 1.0, "every n")
'''


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_directory_strategy_with_sibling_yaml_defaults(tmp_path: Path) -> None:
    _write(tmp_path, "every.py", EVERY_N)
    _write(tmp_path, "every_n.yaml", "n: 4\n")
    _write(tmp_path, "_helpers.py", "raise RuntimeError('never imported')\n")
    undocumented = EVERY_N.replace('"every_n"', '"quiet"').replace(
        '"""Says long on every n-th bar."""', "pass"
    )
    _write(
        tmp_path,
        "undocumented.py",
        undocumented.replace('"""A user strategy for the tests."""', ""),
    )
    registry = load_registry(tmp_path)
    assert registry.problems == []
    assert registry.specs["every_n"].description == "Says long on every n-th bar."
    assert registry.specs["quiet"].description == ""  # not BaseStrategy's docstring
    spec = registry.specs["every_n"]
    assert spec.warmup_period == 4 and str(tmp_path / "every.py") in spec.origin
    factory = make_factory("every_n", {}, user_dir=tmp_path)
    assert events(run(factory("AAA"), bars_of([1.0] * 8))) == [(3, LONG), (7, LONG)]
    assert make_factory("every_n", {"n": "2"}, user_dir=tmp_path).warmup_period == 2


def test_user_directory_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "every.py", EVERY_N)
    monkeypatch.setenv(STRATEGY_DIR_ENV, str(tmp_path))
    assert "every_n" in available()
    assert make_factory("every_n", {}).warmup_period == 3  # the model's default: no YAML


def test_broken_plugins_are_one_line_problems_and_the_rest_still_loads(tmp_path: Path) -> None:
    _write(tmp_path, "every.py", EVERY_N)
    _write(tmp_path, "boom.py", "raise RuntimeError('boom at import')\n")
    _write(tmp_path, "syntax.py", "def broken(:\n")
    _write(tmp_path, "nothing.py", "X = 1\n")
    _write(tmp_path, "badyaml.py", EVERY_N.replace('"every_n"', '"bad_yaml"'))
    _write(tmp_path, "bad_yaml.yaml", "n: [unclosed\n")
    _write(tmp_path, "range.py", EVERY_N.replace('"every_n"', '"bad_range"'))
    _write(tmp_path, "bad_range.yaml", "n: 0\n")
    registry = load_registry(tmp_path)
    assert "every_n" in registry.specs
    assert {"bad_yaml", "bad_range"}.isdisjoint(registry.specs)
    lines = {p.origin.split(" ")[0]: p.one_line() for p in registry.problems}
    assert set(lines) == {
        str(tmp_path / f) for f in ("boom.py", "syntax.py", "nothing.py", "badyaml.py", "range.py")
    }
    assert "RuntimeError: boom at import" in lines[str(tmp_path / "boom.py")]
    assert "SyntaxError" in lines[str(tmp_path / "syntax.py")]
    assert "defines no BaseStrategy subclass" in lines[str(tmp_path / "nothing.py")]
    assert "bad_yaml.yaml: not valid YAML" in lines[str(tmp_path / "badyaml.py")]
    assert "strategy 'bad_range': parameter 'n' = 0" in lines[str(tmp_path / "range.py")]
    assert all("\n" not in line for line in lines.values())
    assert make_factory("sma_cross", {}, user_dir=tmp_path).name == "sma_cross"


def test_name_clash_is_reported_and_refused(tmp_path: Path) -> None:
    _write(tmp_path, "mine.py", EVERY_N.replace('"every_n"', '"momentum"'))
    registry = load_registry(tmp_path)
    assert registry.specs["momentum"].origin == "built-in"  # still listed once
    assert any("already defined by built-in" in p.message for p in registry.problems)
    with pytest.raises(ConfigError, match="strategy 'momentum' is defined more than once"):
        make_factory("momentum", {}, user_dir=tmp_path)


def test_missing_user_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    registry = load_registry(tmp_path / "absent")
    assert set(registry.specs) >= BUILTIN_NAMES
    assert [p.message for p in registry.problems] == ["strategy directory does not exist"]


# --- plugins: entry points of an installed distribution -------------------------------------


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real distribution on sys.path: package ``tbplug_demo`` + its dist-info."""
    package = tmp_path / "tbplug_demo"
    package.mkdir()
    _write(package, "__init__.py", EVERY_N.replace('"every_n"', '"demo_plugin"'))
    _write(package, "demo_plugin.yaml", "n: 5\n")
    dist = tmp_path / "tbplug_demo-1.0.dist-info"
    dist.mkdir()
    _write(dist, "METADATA", "Metadata-Version: 2.1\nName: tbplug-demo\nVersion: 1.0\n")
    _write(
        dist,
        "entry_points.txt",
        """
        [tradebot.strategies]
        demo_plugin = tbplug_demo:EveryN
        misnamed = tbplug_demo:EveryN
        missing = tbplug_missing:Nothing
        not_a_class = tbplug_demo:EveryNParams
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("tbplug_demo", None)


def test_entry_point_plugins_load_with_their_defaults_and_problems(
    installed_plugin: Path,
) -> None:
    registry = load_registry()
    spec = registry.specs["demo_plugin"]
    assert spec.warmup_period == 5  # demo_plugin.yaml beside the module
    assert spec.origin == "entry point 'demo_plugin' (tbplug_demo:EveryN, tbplug-demo)"
    problems = {p.origin.split("'")[1]: p.message for p in registry.problems}
    assert "differs from the strategy's name 'demo_plugin'" in problems["misnamed"]
    assert "ModuleNotFoundError" in problems["missing"]
    assert "is not a BaseStrategy subclass" in problems["not_a_class"]
    factory = make_factory("demo_plugin", {"n": "2"})
    assert factory.name == "demo_plugin" and factory.warmup_period == 2


def test_entry_point_and_user_directory_clash(installed_plugin: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    user.mkdir()
    _write(user, "dup.py", EVERY_N.replace('"every_n"', '"demo_plugin"'))
    with pytest.raises(ConfigError, match=r"entry point 'demo_plugin'.*dup\.py"):
        make_factory("demo_plugin", {}, user_dir=user)


# --- tradebot strategies list ---------------------------------------------------------------


def test_cli_lists_strategies_with_warmup_parameters_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tradebot.cli.strategies_commands as command

    monkeypatch.setattr(command, "console", Console(width=250))  # one table row per line
    _write(tmp_path, "every.py", EVERY_N)
    _write(tmp_path, "boom.py", "raise RuntimeError('boom')\n")
    result = CliRunner().invoke(app, ["strategies", "list", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = result.output
    for name in [*BUILTIN_NAMES, "every_n"]:
        assert name in out
    assert "fast=12, slow=26, signal=9" in out
    assert "lower=none, upper=none, levels=10, band=0.1" in out
    macd_row = next(line for line in out.splitlines() if " macd " in line)
    assert " 34 " in macd_row  # warm-up with default parameters: 26 + 9 - 1
    assert "not loaded:" in out and "boom.py" in out and "RuntimeError: boom" in out
