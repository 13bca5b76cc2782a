"""The layering rules import-linter cannot see: where real time and randomness may enter.

import-linter (``pyproject.toml``) holds who imports whom. What it cannot see is a call:
``datetime.now()`` needs no import of anything forbidden. So this scans the source of
``tradebot`` (its syntax tree, nothing runs) and fails on

- a wall-clock read outside the modules of :data:`ALLOWED`, each with its reason. The
  kernel learns time from its clock port, the pure packages are handed it, and an adapter
  takes an injectable ``now``/``monotonic`` that defaults to :mod:`tradebot.adapters.clock`;
- an allowance that no longer matches anything (so the list only shrinks);
- in a pure package (the source modules of the contract "Pure packages do no I/O through
  outside SDKs"): any import of ``time``, ``random`` or ``secrets``, any wall-clock name,
  or randomness that is not a seeded numpy generator.

A read is any reference to one of :data:`WALL_CLOCK` once imports are resolved, called or
not (``monotonic=time.monotonic`` as a default counts: it is the wall clock by default).
"""

from __future__ import annotations

import ast
import pkgutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import tradebot

PACKAGE = Path(tradebot.__file__).parent
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

WALL_CLOCK = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.process_time",
        "time.process_time_ns",
        "time.thread_time",
        "time.localtime",
        "time.gmtime",
        "time.ctime",
        "time.asctime",
        "time.strftime",
        "pandas.Timestamp.now",
        "pandas.Timestamp.utcnow",
        "pandas.Timestamp.today",
    }
)
"""Everything that answers "what time is it" from the machine (qualified names)."""

RANDOM = frozenset({"uuid.uuid1", "uuid.uuid4", "os.urandom", "os.getrandom"})
"""Unseeded randomness besides the ``random``/``secrets`` modules and ``numpy.random``."""

SEEDED_NUMPY = frozenset({"numpy.random.default_rng", "numpy.random.Generator"})
"""The numpy randomness a pure package may use: a generator built from a seed."""

NO_IMPORT_IN_PURE = frozenset({"time", "random", "secrets"})

ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "tradebot.adapters.clock": (
        frozenset({"datetime.datetime.now", "time.monotonic"}),
        "the wall clock adapter itself: utc_now() and monotonic(), the defaults of every "
        "injectable now/monotonic",
    ),
    "tradebot.adapters.ollama.analyzer": (
        frozenset({"time.monotonic"}),
        "default of the analyzer's injectable `monotonic` (its cool-down after Ollama was "
        "unreachable); tests pass their own",
    ),
    "tradebot.adapters.rss.fetch": (
        frozenset({"time.monotonic"}),
        "default of fetch's injectable `monotonic` (the read deadline); tests pass their own",
    ),
    "tradebot.adapters.embedding.training": (
        frozenset({"time.perf_counter"}),
        "how long training took, for its report; nothing is decided on it",
    ),
    "tradebot.cli": (
        frozenset({"datetime.datetime.now", "time.perf_counter"}),
        "a command may stamp the moment the user asked (an earnings import) or show how "
        "long its work took",
    ),
}
"""Modules (or packages, with everything under them) that may read the wall clock, the
names they may use, and why."""


@dataclass(frozen=True, slots=True)
class Use:
    module: str
    line: int
    name: str
    """The qualified name referenced (``time.monotonic``), or ``import time`` for an import
    of a module a pure package may not import."""

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.name}"


def _aliases(tree: ast.Module, package: str) -> dict[str, str]:
    """Local name -> qualified name for every import in ``tree`` (any scope: lazy imports
    inside functions are common here, and a name bound anywhere is resolved everywhere)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else [*base, node.attr]
    return None


def scan(source: str, module: str, *, is_package: bool = False) -> Iterator[Use]:
    """Every reference in ``source`` to a wall-clock or random name, every import of a
    module in :data:`NO_IMPORT_IN_PURE`, and every unseeded ``default_rng()``."""
    tree = ast.parse(source)
    package = module if is_package else module.rpartition(".")[0]
    aliases = _aliases(tree, package)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield from _imports(node, module, package)
            continue
        if isinstance(node, ast.Call) and _unseeded(node, aliases):
            yield Use(module, node.lineno, "numpy.random.default_rng() without a seed")
        if isinstance(node, ast.Name | ast.Attribute):
            name = _resolve(node, aliases)
            if name is not None and _flagged(name):
                yield Use(module, node.lineno, name)


def _imports(node: ast.Import | ast.ImportFrom, module: str, package: str) -> Iterator[Use]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.partition(".")[0] in NO_IMPORT_IN_PURE:
                yield Use(module, node.lineno, f"import {alias.name}")
        return
    base = _absolute(node, package)
    if base.partition(".")[0] in NO_IMPORT_IN_PURE:
        yield Use(module, node.lineno, f"import {base}")
    for alias in node.names:
        name = f"{base}.{alias.name}"
        if _flagged(name):
            yield Use(module, node.lineno, name)


def _resolve(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts = _dotted(node)
    if parts is None or parts[0] not in aliases:
        return None  # a local name, an attribute of an object: not a module's function
    return ".".join([aliases[parts[0]], *parts[1:]])


def _unseeded(call: ast.Call, aliases: dict[str, str]) -> bool:
    no_seed = not call.args and not call.keywords
    return no_seed and _resolve(call.func, aliases) == "numpy.random.default_rng"


def _flagged(name: str) -> bool:
    if name in WALL_CLOCK or name in RANDOM:
        return True
    return name.startswith("numpy.random.") and name not in SEEDED_NUMPY


def _is_clock(use: Use) -> bool:
    return use.name in WALL_CLOCK


def _sources() -> Iterator[tuple[str, Path, bool]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        is_package = relative.name == "__init__"
        parts = relative.parts[:-1] if is_package else relative.parts
        yield ".".join(parts), path, is_package


def _all_uses() -> list[Use]:
    return [
        use
        for module, path, is_package in _sources()
        for use in scan(path.read_text(encoding="utf-8"), module, is_package=is_package)
    ]


USES = _all_uses()


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _allowance(use: Use) -> str | None:
    for prefix, (names, _) in ALLOWED.items():
        if _within(use.module, prefix) and use.name in names:
            return prefix
    return None


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def _pure_packages() -> list[str]:
    wanted = "Pure packages do no I/O through outside SDKs"
    for contract in _contracts():
        if contract["name"] == wanted:
            modules: list[str] = contract["source_modules"]
            return modules
    raise AssertionError(f"pyproject.toml has no import-linter contract named {wanted!r}")


# -- the scanner finds what it should, and only that ----------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import time\nx = time.monotonic()", ["time.monotonic"]),
        ("import time as t\nx = t.time()", ["time.time"]),
        ("from time import perf_counter\n", ["time.perf_counter"]),
        ("from time import monotonic as m\ndef f(c=m): return c()", ["time.monotonic"] * 2),
        ("from datetime import UTC, datetime\nx = datetime.now(UTC)", ["datetime.datetime.now"]),
        ("from datetime import datetime as dt\nx = dt.utcnow()", ["datetime.datetime.utcnow"]),
        ("import datetime\nx = datetime.datetime.now()", ["datetime.datetime.now"]),
        ("from datetime import date\nx = date.today()", ["datetime.date.today"]),
        ("import pandas as pd\nx = pd.Timestamp.now(tz='UTC')", ["pandas.Timestamp.now"]),
        ("def f():\n    import time\n    return time.time_ns()", ["time.time_ns"]),
        ("import uuid\nx = uuid.uuid4()", ["uuid.uuid4"]),
        ("import numpy as np\nx = np.random.rand(3)", ["numpy.random.rand"]),
        (
            "import numpy as np\nx = np.random.default_rng()",
            ["numpy.random.default_rng() without a seed"],
        ),
    ],
)
def test_the_scan_finds_each_way_of_reading_the_clock(source: str, expected: list[str]) -> None:
    found = [use.name for use in scan(source, "tradebot.example") if use.name != "import time"]
    assert found == expected


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import UTC, datetime, timedelta\nx = datetime(2020, 1, 1, tzinfo=UTC)",
        "def f(clock):\n    return clock.now()",
        "def f(monotonic):\n    return monotonic()",
        "class C:\n    def now(self):\n        return self._now()",
        "import numpy as np\nrng = np.random.default_rng(7)\ng: np.random.Generator = rng",
        "from tradebot.adapters import clock\nx = clock.utc_now()",
    ],
)
def test_the_scan_leaves_time_that_comes_in_alone(source: str) -> None:
    assert list(scan(source, "tradebot.example")) == []


def test_the_scan_reports_modules_a_pure_package_may_not_import() -> None:
    source = "import time\nimport random\nfrom secrets import token_hex\nimport datetime"
    found = [use.name for use in scan(source, "tradebot.example")]
    assert found == ["import time", "import random", "import secrets"]


def test_relative_imports_resolve_like_absolute_ones() -> None:
    source = "from .clock import LiveClock\nfrom .. import ports"
    tree = ast.parse(source)
    assert _aliases(tree, "tradebot.engine") == {
        "LiveClock": "tradebot.engine.clock.LiveClock",
        "ports": "tradebot.ports",
    }


# -- the rules, over the whole source ---------------------------------------------------------


def test_the_scan_reads_the_whole_package() -> None:
    modules = {module for module, _, _ in _sources()}
    assert {"tradebot", "tradebot.engine.kernel", "tradebot.adapters.sql.lease"} <= modules
    assert len(modules) > 200


def test_no_wall_clock_read_outside_the_clock_adapters() -> None:
    stray = [str(use) for use in USES if _is_clock(use) and _allowance(use) is None]
    assert stray == [], (
        "read time through a port or an injected now/monotonic (tradebot.adapters.clock), "
        f"or add an entry with its reason to ALLOWED: {stray}"
    )


def test_every_allowance_is_still_needed() -> None:
    used = {_allowance(use) for use in USES if _is_clock(use)}
    assert set(ALLOWED) - used == set(), "remove the allowances nothing needs any more"
    for prefix, (names, reason) in ALLOWED.items():
        assert names <= WALL_CLOCK and reason.strip(), prefix


def test_pure_packages_read_no_clock_and_draw_no_randomness() -> None:
    pure = _pure_packages()
    assert {"tradebot.domain", "tradebot.risk", "tradebot.strategies"} <= set(pure)
    broken = [str(use) for use in USES if any(_within(use.module, p) for p in pure)]
    assert broken == [], "pure packages take time and seeds as arguments: " + ", ".join(broken)


def test_every_part_of_backtest_has_a_layer() -> None:
    """The layers contract places each direct child of ``tradebot`` itself (exhaustive);
    ``backtest`` is split by part (metrics are pure, optimize drives the runtime), so each
    of its parts must be named."""
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    assert layers["containers"] == ["tradebot"] and layers["exhaustive"] is True
    named = {
        part.strip() for layer in layers["layers"] for part in layer.replace("|", ":").split(":")
    }
    parts = {f"backtest.{info.name}" for info in pkgutil.iter_modules([str(PACKAGE / "backtest")])}
    assert parts and parts <= named, parts - named
