"""Every error a user can cause ends in one line on stderr, exit code 2, no traceback.

Each bad input of the table below is run through the installed ``tradebot`` console script
in a fresh process, in the environment ``make demo`` builds: ``click`` is made impossible
to import (a stub package first on ``PYTHONPATH`` raises ImportError), because that
environment does not have it (typer carries its own copy). A few cases run again in the
full environment. Usage errors may add typer's usage line; nothing else may reach stderr.

The cases run concurrently (a pool of processes started from threads) and are checked one
test each, so a failure names its case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

TRADEBOT = Path(sys.executable).with_name("tradebot")


@dataclass(frozen=True)
class Case:
    """A command line (``{tmp}`` is the case folder) and words its error line must hold."""

    name: str
    args: tuple[str, ...]
    expect: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    usage: bool = False
    """A usage error: typer's ``Usage:`` line may come before the error line."""


def case(
    name: str, *args: str, expect: tuple[str, ...] = (), usage: bool = False, **env: str
) -> Case:
    return Case(name, args, expect, tuple(env.items()), usage)


CASES = [
    # --- usage errors raised by typer's parser -------------------------------------------
    case("unknown option", "backtest", "--bogus", expect=("--bogus",), usage=True),
    case("bad choice", "backtest", "--timeframe", "2h", expect=("--timeframe", "2h"), usage=True),
    case("missing value", "backtest", "--symbols", expect=("--symbols",), usage=True),
    case("not a number", "paper", "--speed", "abc", expect=("--speed",), usage=True),
    case("out of range", "decisions", "--last", "0", expect=("--last",), usage=True),
    case("missing argument", "backtest", "show", expect=("RUN_ID",), usage=True),
    case("missing option", "lookahead", expect=("--strategy",), usage=True),
    case("unknown command", "frobnicate", expect=("frobnicate",), usage=True),
    case("unknown subcommand", "db", "frobnicate", expect=("frobnicate",), usage=True),
    case("root option", "--bogus", expect=("--bogus",), usage=True),
    case(
        "optimize trials",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--trials",
        "0",
        expect=("--trials",),
        usage=True,
    ),
    case(
        "optimize fraction",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--train-fraction",
        "2",
        expect=("--train-fraction",),
        usage=True,
    ),
    case("news limit", "news", "--limit", "-3", expect=("--limit",), usage=True),
    case(
        "lookahead cuts",
        "lookahead",
        "--strategy",
        "macd",
        "--cuts",
        "0",
        expect=("--cuts",),
        usage=True,
    ),
    case("train steps", "sentiment", "train", "--steps", "0", expect=("--steps",), usage=True),
    case(
        "import timeframe",
        "data",
        "import",
        "{tmp}/x.csv",
        "--timeframe",
        "2h",
        expect=("--timeframe",),
        usage=True,
    ),
    case("downgrade target", "db", "downgrade", expect=("REVISION",), usage=True),
    case("demo option", "demo", "--bogus", expect=("--bogus",), usage=True),
    case("config option", "config", "show", "--bogus", expect=("--bogus",), usage=True),
    case("strategies option", "strategies", "list", "--bogus", expect=("--bogus",), usage=True),
    case("compare option", "backtest", "compare", "--bogus", expect=("--bogus",), usage=True),
    case("list option", "backtest", "list", "--limit", "x", expect=("--limit",), usage=True),
    case("eval option", "sentiment", "eval", "--bogus", expect=("--bogus",), usage=True),
    case("import option", "data", "import", "--bogus", expect=("--bogus",), usage=True),
    # --- errors in what the user asked for -------------------------------------------------
    case("bad date", "backtest", "--start", "2020-13-01", expect=("2020-13-01",)),
    case(
        "start after end",
        "backtest",
        "--start",
        "2020-06-15",
        "--end",
        "2020-06-01",
        expect=("2020-06-15", "2020-06-01"),
    ),
    case(
        "empty range",
        "backtest",
        "--start",
        "2030-01-01",
        "--end",
        "2030-02-01",
        expect=("2030-01-01",),
    ),
    case("unknown symbol", "backtest", "--symbols", "NOPE", expect=("NOPE",)),
    case("unknown strategy", "backtest", "--strategy", "nope", expect=("nope",)),
    case("bad param", "backtest", "--strategy", "sma_cross", "--param", "fast", expect=("fast",)),
    case(
        "bad param value",
        "backtest",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=abc",
        expect=("fast",),
    ),
    case(
        "both strategy options",
        "backtest",
        "--strategy",
        "macd",
        "--strategies",
        "macd",
        expect=("--strategies",),
    ),
    case("missing data dir", "backtest", "--data", "{tmp}/nowhere", expect=("nowhere",)),
    case(
        "missing news file", "backtest", "--news", "{tmp}/nowhere.jsonl", expect=("nowhere.jsonl",)
    ),
    case("unknown news format", "backtest", "--news", "{tmp}/news.txt", expect=("news.txt",)),
    case("report under a file", "backtest", "--report", "{tmp}/afile/r.html", expect=("--report",)),
    case("json is a folder", "backtest", "--json", "{tmp}", expect=("--json",)),
    case("csv is a file", "backtest", "--csv", "{tmp}/afile", expect=("--csv",)),
    case("demo out is a file", "demo", "--out", "{tmp}/afile", expect=("--out",)),
    case(
        "optimize report",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--report",
        "{tmp}/afile/r.html",
        expect=("--report",),
    ),
    case(
        "optimize space",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=a:b:c",
        expect=("fast",),
    ),
    case(
        "optimize method",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--method",
        "nope",
        expect=("nope",),
    ),
    case(
        "optimize objective",
        "optimize",
        "--strategy",
        "sma_cross",
        "--param",
        "fast=5",
        "--objective",
        "nope",
        expect=("nope",),
    ),
    case("lookahead strategy", "lookahead", "--strategy", "nope", expect=("nope",)),
    case("run not found", "backtest", "show", "bt-nope", expect=("bt-nope",)),
    case("compare one run", "backtest", "compare", "bt-nope", expect=("compare",)),
    case("paper without replay", "paper", expect=("--replay", "--broker")),
    case("learning switch", "backtest", "--learning", "maybe", expect=("--learning",), usage=True),
    case("weights from no run", "backtest", "--weights-from", "bt-nope", expect=("bt-nope",)),
    case("paper unknown broker", "paper", "--broker", "ib", expect=("ib", "sim, alpaca, ccxt")),
    case("paper replay and broker", "paper", "--replay", "--broker", "sim", expect=("--replay",)),
    case("live without broker", "live", expect=("--broker",), usage=True),
    case("live sim broker", "live", "--broker", "sim", expect=("sim", "alpaca, ccxt")),
    case("live unconfirmed", "live", "--broker", "alpaca", expect=("--confirm-live",)),
    case(
        "live without keys",
        "live",
        "--broker",
        "alpaca",
        "--confirm-live",
        expect=("APCA_API_KEY_ID",),
        APCA_API_KEY_ID="",
        APCA_API_SECRET_KEY="",
    ),
    case(
        "ccxt without keys",
        "live",
        "--broker",
        "ccxt",
        "--confirm-live",
        expect=("key",),
    ),
    case("paper speed", "paper", "--replay", "--speed", "0", expect=("--speed",)),
    case(
        "resume unknown run", "paper", "--replay", "--resume", "paper-nope", expect=("paper-nope",)
    ),
    case("decisions of no run", "decisions", "--run", "bt-nope", expect=("bt-nope",)),
    case("news since", "news", "--since", "yesterday", expect=("yesterday",)),
    case(
        "missing config file",
        "--config",
        "{tmp}/nowhere.yaml",
        "config",
        "show",
        expect=("nowhere.yaml",),
    ),
    case("bad config key", "--config", "{tmp}/bad.yaml", "config", "show", expect=("bogus",)),
    case(
        "bad env value",
        "config",
        "show",
        expect=("initial_cash",),
        TRADEBOT_BROKER__INITIAL_CASH="lots",
    ),
    case("bad database url", "db", "upgrade", "--url", "nope://x", expect=("nope://x",)),
    case("downgrade unconfirmed", "db", "downgrade", "base", expect=("--yes",)),
    case("unknown revision", "db", "upgrade", "--revision", "zzz", expect=("zzz",)),
    case(
        "postgres password hidden",
        "db",
        "current",
        "--url",
        "postgresql+psycopg://bot:s3cret@127.0.0.1:1/none",
        expect=("***",),
    ),
    case("import missing file", "data", "import", "{tmp}/nowhere.csv", expect=("nowhere.csv",)),
    case(
        "import malformed csv",
        "data",
        "import",
        "{tmp}/bad.csv",
        "--symbol",
        "XYZ",
        "--data",
        "{tmp}/data",
        expect=("bad.csv",),
    ),
    case("list missing dir", "data", "list", "--data", "{tmp}/nowhere", expect=("nowhere",)),
    case(
        "earnings missing file",
        "data",
        "import-earnings",
        "{tmp}/nowhere.csv",
        expect=("nowhere.csv",),
    ),
    case("eval analyzer", "sentiment", "eval", "--analyzer", "nope", expect=("nope",)),
    case(
        "eval dataset",
        "sentiment",
        "eval",
        "--dataset",
        "{tmp}/nowhere.csv",
        expect=("nowhere.csv",),
    ),
    case("train out", "sentiment", "train", "--out", "{tmp}/afile/head.npz", expect=("--out",)),
    case("strategy dir", "strategies", "list", "--dir", "{tmp}/nowhere", expect=("nowhere",)),
    case("kill without a run", "kill", expect=("--run",)),
    case("pause an unknown run", "pause", "--run", "nope", expect=("nope",)),
    case("close needs a symbol", "close", expect=("SYMBOL",), usage=True),
    case("unknown tier", "set-tier", "ultra", expect=("ultra", "moderate"), usage=True),
    case("tier missing", "set-tier", expect=("TIER", "conservative"), usage=True),
    case("kill option", "kill", "--bogus", expect=("--bogus",), usage=True),
]

FULL_ENVIRONMENT = ("unknown option", "bad choice", "bad date", "report under a file")
"""Run again with click importable (the environment ``make test`` builds)."""


def _files(folder: Path) -> None:
    """What the cases read: a file where a folder is expected, malformed inputs."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "afile").write_text("not a folder\n")
    (folder / "news.txt").write_text("2020-01-02,Apple beats\n")
    (folder / "bad.yaml").write_text("bogus_section: {x: 1}\n")
    (folder / "bad.csv").write_text("date,open,high,low,close,volume\n2021-01-04,1,2,0.5,x,10\n")
    (folder / "x.csv").write_text("date,open,high,low,close,volume\n")


def _no_click(folder: Path) -> Path:
    """A ``click`` package that cannot be imported, as in ``make demo``'s environment."""
    package = folder / "click"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "raise ImportError('click is not installed in the environment make demo builds')\n"
    )
    return folder


def _run(case: Case, root: Path, blocker: Path | None) -> subprocess.CompletedProcess[str]:
    folder = root / case.name.replace(" ", "_")
    _files(folder)
    env = {
        **os.environ,
        "TRADEBOT_STORE__URL": f"sqlite:///{root / 'shared.db'}",
        "COLUMNS": "200",
        **dict(case.env),
    }
    env.pop("TRADEBOT_DATA__DIR", None)
    if blocker is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(blocker), env.get("PYTHONPATH")]))
    args = [a.replace("{tmp}", str(folder)) for a in case.args]
    return subprocess.run(
        [str(TRADEBOT), *args],
        env=env,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


Results = dict[tuple[str, bool], subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    root = tmp_path_factory.mktemp("cli-errors")
    blocker = _no_click(root / "no-click")
    setup = _run(case("set-up", "db", "upgrade"), root, None)
    assert setup.returncode == 0, setup.stderr
    jobs: list[tuple[tuple[str, bool], Callable[[], subprocess.CompletedProcess[str]]]] = []
    for item in CASES:
        jobs.append(((item.name, False), lambda c=item: _run(c, root, blocker)))
        if item.name in FULL_ENVIRONMENT:
            jobs.append(((item.name, True), lambda c=item: _run(c, root / "full", None)))
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(job) for key, job in jobs}
        return {key: future.result() for key, future in futures.items()}


def _check(item: Case, done: subprocess.CompletedProcess[str]) -> None:
    shown = f"$ tradebot {' '.join(item.args)}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stderr + done.stdout, shown
    assert done.returncode == 2, shown
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    if item.usage and lines and lines[0].startswith("Usage:"):
        lines = lines[1:]
    assert len(lines) == 1, shown
    assert lines[0].startswith("error: "), shown
    for word in item.expect:
        assert word in lines[0], shown


@pytest.mark.parametrize("item", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_ends_in_one_error_line(item: Case, results: Results) -> None:
    _check(item, results[(item.name, False)])


@pytest.mark.parametrize(
    "item", [c for c in CASES if c.name in FULL_ENVIRONMENT], ids=list(FULL_ENVIRONMENT)
)
def test_the_same_in_the_full_environment(item: Case, results: Results) -> None:
    _check(item, results[(item.name, True)])


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    done = _run(case("debug", "--debug", "backtest", "--start", "2020-13-01"), tmp_path, None)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "ConfigError" in done.stderr


def test_a_bare_command_prints_help_and_version_prints_the_version(tmp_path: Path) -> None:
    bare = _run(case("bare"), tmp_path, _no_click(tmp_path / "nc"))
    assert "Traceback" not in bare.stderr
    assert "Usage: tradebot" in bare.stdout and "backtest" in bare.stdout
    version = _run(case("version", "--version"), tmp_path, None)
    assert version.returncode == 0
    assert version.stdout.startswith("tradebot ")


def test_markup_in_a_message_keeps_its_brackets(tmp_path: Path) -> None:
    """Brackets in a message (a path here, ``tradebot[postgres]`` in a hint) are text:
    rich must not read them as markup and eat them."""
    done = _run(case("brackets", "backtest", "--news", "{tmp}/[news].jsonl"), tmp_path, None)
    assert done.returncode == 2
    assert "[news].jsonl" in done.stderr, done.stderr
