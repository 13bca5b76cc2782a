"""Learned vs fixed strategy weights, out of sample (issue 13's honest evaluation).

    .venv/bin/python bench/bench_learning.py [--engines autonomous,reference] [--repeats 3]
        [--policies ema,exp3,thompson] [--json out.json] [--markdown out.md]

On the bundled daily data (``tradebot.data.sample_data_dir("equities_daily")``: all eleven
symbols) an ensemble of four strategies (momentum, macd, mean_reversion, bollinger; news is
left out because this data has no news, so it would only ever abstain) is run:

- for each policy, **learn** on 2015-01-01..2018-12-31 (``--learning on``, equal starting
  weights), then **test** on 2019-01-01..2021-12-31 from those final weights, frozen
  (``--weights-from RUN --learning off``) and with learning going on (``--learning on``);
- **equal fixed weights** on the test period (a fresh database holds equal weights) and,
  for reference, on the training period;
- **each strategy alone** on both periods; the best single strategy is chosen by its
  *training* Sharpe (no hindsight), and the best by *test* Sharpe is shown marked hindsight.

Why the training period is 2015-2018 and the test 2019-2021: the issue says so; the two never
overlap, and the test runs start from nothing but the weights (the book of outcomes starts
empty, so a continuing learner again waits ``min_trades`` per strategy before it moves).

Every run is the installed ``tradebot`` command in a fresh process, as a user runs it
(``scripts/readme_figures.py``'s way), with default settings: inherited ``TRADEBOT_*``
variables are dropped so that the figures do not depend on the caller's shell. Each run has
its own SQLite file in a temporary folder, except that a policy's test runs share the file of
its learning run, because ``--weights-from`` reads that run's final weights from the database.
``--engines`` picks the decision stage(s): ``autonomous`` (the risk engine, the default) and
``reference`` (``TRADEBOT_RISK__ENGINE=reference``: fixed 10 % of equity per entry, exits
only on an opposite signal).

**Repeats.** Every learning row is run ``--repeats`` times (each learning run with its own
test runs) and shown once when the repeats agree to the last digit, else as the mean with the
range in brackets. A learning run must be reproducible: an outcome book that ordered trades
closing on the same bar by their trade id (which hashes the run's random id) learned
slightly different weights on each run of the same command, and this check is what showed it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradebot.data import sample_data_dir

TRADEBOT = Path(sys.executable).with_name("tradebot")
STRATEGIES = ("momentum", "macd", "mean_reversion", "bollinger")
POLICIES = ("ema", "exp3", "thompson")
ENGINES = ("autonomous", "reference")
TRAIN = ("2015-01-01", "2018-12-31")
TEST = ("2019-01-01", "2021-12-31")

console = Console(width=160)


@dataclass
class Row:
    """One backtest: what ran, on which period, and its figures."""

    engine: str
    label: str
    period: str
    total_return: float
    sharpe: float
    max_drawdown: float
    trades: int
    run_id: str
    final_weights: dict[str, float] = field(default_factory=dict)
    wall_s: float = 0.0


class Runner:
    """``tradebot backtest`` in fresh processes, counted on one progress bar."""

    def __init__(self, work: Path, engine: str, progress: Progress, task: TaskID) -> None:
        self.work, self.engine, self.progress, self.task = work, engine, progress, task
        self.data = str(sample_data_dir("equities_daily"))
        self.count = 0

    def backtest(
        self,
        db: str,
        label: str,
        period: tuple[str, str],
        *args: str,
        policy: str | None = None,
    ) -> Row:
        """One run on ``db`` (a file name in the work folder) over ``period``; ``policy``
        sets ``learning.policy`` the way a user would (``TRADEBOT_LEARNING__POLICY``)."""
        self.count += 1
        out = self.work / f"{self.engine}-{self.count}.json"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRADEBOT_")}
        env |= {"TRADEBOT_STORE__URL": f"sqlite:///{self.work / db}", "COLUMNS": "120"}
        if self.engine == "reference":
            env["TRADEBOT_RISK__ENGINE"] = "reference"
        if policy is not None:
            env["TRADEBOT_LEARNING__POLICY"] = policy
        command = [str(TRADEBOT), "backtest", "--data", self.data]
        command += ["--start", period[0], "--end", period[1], *args, "--json", str(out)]
        self.progress.update(self.task, description=f"{self.engine}: {label}")
        began = time.perf_counter()
        done = subprocess.run(
            command, cwd=self.work, env=env, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - began
        if done.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
        payload = json.loads(out.read_text())
        metrics = payload["metrics"]
        self.progress.advance(self.task)
        return Row(
            engine=self.engine,
            label=label,
            period="train" if period == TRAIN else "test",
            total_return=metrics["total_return"],
            sharpe=metrics["sharpe"],
            max_drawdown=metrics["max_drawdown"],
            trades=metrics["trades"],
            run_id=payload["run_id"],
            final_weights=metrics.get("final_weights") or {},
            wall_s=wall,
        )


def runs_per_engine(policies: tuple[str, ...], repeats: int) -> int:
    """How many backtests :func:`evaluate` starts (for the progress bar)."""
    return 3 * len(policies) * repeats + 2 + 2 * len(STRATEGIES)


def evaluate(runner: Runner, policies: tuple[str, ...], repeats: int) -> list[Row]:
    """Every row of one engine: policies (learn, frozen, continuing) ``repeats`` times each
    (a learning run is not reproducible from one run to the next: see the module's note),
    equal weights, singles (deterministic: once)."""
    ensemble = ("--strategies", ",".join(STRATEGIES))
    rows: list[Row] = []
    for policy, repeat in ((p, k) for p in policies for k in range(repeats)):
        db = f"{runner.engine}-{policy}-{repeat}.db"  # shared: --weights-from reads it
        learned = runner.backtest(
            db, f"{policy}: learning", TRAIN, *ensemble, "--learning", "on", policy=policy
        )
        start = ("--weights-from", learned.run_id)
        frozen = runner.backtest(
            db, f"{policy}: learned, frozen", TEST, *ensemble, *start, "--learning", "off"
        )
        going = runner.backtest(
            db,
            f"{policy}: learned, learning on",
            TEST,
            *ensemble,
            *start,
            "--learning",
            "on",
            policy=policy,
        )
        rows += [learned, frozen, going]
    for period, tag in ((TEST, "test"), (TRAIN, "train")):
        rows.append(
            runner.backtest(
                f"{runner.engine}-equal-{tag}.db",
                "equal fixed weights",
                period,
                *ensemble,
                "--learning",
                "off",
            )
        )
    for name in STRATEGIES:
        for period, tag in ((TRAIN, "train"), (TEST, "test")):
            rows.append(
                runner.backtest(
                    f"{runner.engine}-{name}-{tag}.db",
                    f"{name} alone",
                    period,
                    "--strategy",
                    name,
                    "--learning",
                    "off",
                )
            )
    return rows


def best_singles(rows: list[Row]) -> tuple[str, str]:
    """The single strategy with the best training Sharpe (chosen without hindsight) and the
    one with the best test Sharpe (hindsight), by name."""
    singles = [r for r in rows if r.label.endswith(" alone")]
    train = max((r for r in singles if r.period == "train"), key=lambda r: r.sharpe)
    test = max((r for r in singles if r.period == "test"), key=lambda r: r.sharpe)
    return train.label, test.label


def weights_text(weights: dict[str, float]) -> str:
    return " · ".join(f"{name} {weights[name]:.2f}" for name in STRATEGIES if name in weights)


def figures(group: list[Row]) -> tuple[str, str, str, str]:
    """Return, Sharpe, max drawdown and trades of one run, or of repeats of the same run
    as their mean with the range in brackets."""
    first = group[0]
    same = (first.total_return, first.sharpe, first.max_drawdown, first.trades)
    if all((r.total_return, r.sharpe, r.max_drawdown, r.trades) == same for r in group):
        row = first
        return (
            f"{row.total_return * 100:.2f} %",
            f"{row.sharpe:.2f}",
            f"{row.max_drawdown * 100:.2f} %",
            str(row.trades),
        )

    def spread(values: list[float], scale: float, places: int, unit: str) -> str:
        mean = statistics.fmean(values) * scale
        low, high = min(values) * scale, max(values) * scale
        return f"{mean:.{places}f}{unit} ({low:.{places}f}…{high:.{places}f})"

    return (
        spread([r.total_return for r in group], 100, 2, " %"),
        spread([r.sharpe for r in group], 1, 2, ""),
        spread([r.max_drawdown for r in group], 100, 2, " %"),
        spread([float(r.trades) for r in group], 1, 0, ""),
    )


def mean_weights(group: list[Row]) -> dict[str, float]:
    """The learned final weights (their mean over repeats); none for a run that did not
    learn (a frozen run records none)."""
    found = [r.final_weights for r in group if r.final_weights]
    if not found:
        return {}
    return {name: statistics.fmean(w[name] for w in found) for name in found[0]}


def ordered(rows: list[Row]) -> list[tuple[str, str, list[Row]]]:
    """The comparison's rows as ``(period, printed name, runs)``: the test period first
    (best singles, learned, equal, each single), then the training period for reference."""
    by_train, by_test = best_singles(rows)
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.period, row.label), []).append(row)
    shown = [
        ("test", f"best single on training: {by_train} (no hindsight)", groups["test", by_train]),
        ("test", f"best single on test: {by_test} (hindsight)", groups["test", by_test]),
    ]
    for period in ("test", "train"):
        mixed = [(p, label) for p, label in groups if p == period and "alone" not in label]
        alone = [(p, label) for p, label in groups if p == period and "alone" in label]
        shown += [(period, label, groups[period, label]) for _, label in mixed + alone]
    return shown


def rich_table(engine: str, rows: list[Row]) -> Table:
    table = Table(title=f"Learned vs fixed weights — {engine} decision stage")
    for column in ("period", "run", "return", "Sharpe", "max DD", "trades", "final weights"):
        table.add_column(column, justify="left" if column in {"period", "run"} else "right")
    for period, name, group in ordered(rows):
        table.add_row(period, name, *figures(group), weights_text(mean_weights(group)))
    return table


def reproducible(rows: list[Row]) -> str:
    """Whether every repeated learning row gave the same figures, in words."""
    groups = [g for _, _, g in ordered(rows) if len(g) > 1]
    differ = [g[0].label for g in groups if figures(g)[0].endswith(")")]
    repeats = max((len(g) for g in groups), default=1)
    if not differ:
        return f"each learning row run {repeats}×: the repeats agree to the last digit"
    return f"each learning row run {repeats}×: repeats differ for {', '.join(differ)}"


def markdown(engine: str, rows: list[Row]) -> str:
    period = {"train": f"{TRAIN[0][:4]}–{TRAIN[1][:4]}", "test": f"{TEST[0][:4]}–{TEST[1][:4]}"}
    lines = [
        f"{engine} decision stage:",
        "",
        "| period | run | return | Sharpe | max drawdown | trades | final weights |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for when, name, group in ordered(rows):
        cells = (period[when], name, *figures(group), weights_text(mean_weights(group)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join([*lines, "", reproducible(rows) + "."]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="autonomous", help="autonomous,reference")
    parser.add_argument("--policies", default=",".join(POLICIES), help="ema,exp3,thompson")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each learning row")
    parser.add_argument("--json", type=Path, default=None, help="write every row here")
    parser.add_argument("--markdown", type=Path, default=None, help="write the tables here")
    args = parser.parse_args()
    engines = tuple(e for e in args.engines.split(",") if e)
    policies = tuple(p for p in args.policies.split(",") if p)
    for engine in engines:
        if engine not in ENGINES:
            parser.error(f"unknown engine {engine!r}: pick from {', '.join(ENGINES)}")
    results: dict[str, list[Row]] = {}
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as folder:
        columns = (
            TextColumn("{task.description:<48}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task(
                "starting", total=runs_per_engine(policies, args.repeats) * len(engines)
            )
            for engine in engines:
                runner = Runner(Path(folder), engine, progress, task)
                results[engine] = evaluate(runner, policies, args.repeats)
    for engine, rows in results.items():
        console.print(rich_table(engine, rows))
        console.print(reproducible(rows))
    console.print(
        f"{sum(len(r) for r in results.values())} backtests in {time.perf_counter() - began:.0f} s"
    )
    if args.json is not None:
        payload = {
            "data": "equities_daily (all symbols)",
            "strategies": list(STRATEGIES),
            "train": list(TRAIN),
            "test": list(TEST),
            "repeats": args.repeats,
            "rows": {engine: [asdict(r) for r in rows] for engine, rows in results.items()},
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    if args.markdown is not None:
        args.markdown.write_text("\n".join(markdown(e, rows) for e, rows in results.items()))


if __name__ == "__main__":
    main()
