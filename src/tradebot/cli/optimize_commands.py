"""``tradebot optimize``: search a strategy's parameters on the kernel, optionally walk forward.

The command only parses, shows and writes; the study itself lives in
:mod:`tradebot.backtest.optimize`, so notebooks and tests drive exactly the same code.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.outputs import check_output_file
from tradebot.cli.render import console, err_console, write_json
from tradebot.cli.run_commands import _day, _symbols
from tradebot.domain.enums import Timeframe

if TYPE_CHECKING:
    from tradebot.backtest.optimize import StudyResult

__all__ = ["optimize"]


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar whose total can grow once the study knows its size."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _num(value: Any, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value * 100:,.2f} %" if pct else f"{value:,.3f}"
    return str(value)


def _params(params: dict[str, Any] | None) -> str:
    return "—" if params is None else ", ".join(f"{k}={v}" for k, v in params.items())


def _results_table(result: StudyResult) -> Table:
    from tradebot.backtest.optimize.report import top_rows

    objective = result.config.objective
    where = f", fold {result.folds[-1].fold.index}" if result.folds else ""
    table = Table(title=f"Top 20 by {objective} (in-sample{where})", header_style="bold")
    table.add_column("#", justify="right")
    if result.folds:
        table.add_column("fold", justify="right")
    table.add_column("params", no_wrap=True)
    for name in (objective, "return", "sharpe", "max drawdown", "trades"):
        table.add_column(name, justify="right")
    for rank, e in enumerate(top_rows(result), start=1):
        m = e["metrics"]
        row = [str(rank)] + ([str(e["fold"])] if result.folds else [])
        row += [
            _params(e["params"])
            if not e.get("error")
            else f"{_params(e['params'])} ({e['error']})",
            _num(e["score"]),
            _num(m.get("total_return"), pct=True),
            _num(m.get("sharpe")),
            _num(m.get("max_drawdown"), pct=True),
            _num(m.get("trades")),
        ]
        table.add_row(*row)
    return table


def _folds_table(result: StudyResult) -> Table:
    objective = result.config.objective
    table = Table(title=f"Walk-forward ({objective})", header_style="bold")
    for name in ("fold", "in-sample", "out-of-sample", "best params", "IS score", "OOS score"):
        left = name == "best params"
        table.add_column(name, justify="left" if left else "right", no_wrap=left)
    for f in result.folds:
        table.add_row(
            str(f.fold.index),
            f"{f.fold.train.first} → {f.fold.train.last}",
            f"{f.fold.test.first} → {f.fold.test.last}",
            _params(f.best_params),
            _num(f.train_score),
            _num(f.test_score),
        )
    return table


@app.command()
def optimize(
    strategy: Annotated[str, typer.Option(help="Strategy to optimise.")],
    param: Annotated[
        list[str],
        typer.Option(help="name=start:stop:step (inclusive) or name=value; repeat per param."),
    ],
    method: Annotated[str, typer.Option(help="grid, random or optuna.")] = "grid",
    trials: Annotated[int, typer.Option(min=1, help="Samples for random / optuna.")] = 50,
    walk_forward: Annotated[
        int, typer.Option("--walk-forward", min=0, help="Walk-forward folds (0: whole period).")
    ] = 0,
    train_fraction: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="In-sample share of each fold."),
    ] = 0.7,
    objective: Annotated[
        str, typer.Option(help="sharpe, sortino, calmar, total_return or annual_return.")
    ] = "sharpe",
    symbols: Annotated[str, typer.Option(help="Comma-separated symbols.")] = "AAPL",
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    data: Annotated[Path | None, typer.Option(help="Parquet data dir (default: bundled).")] = None,
    timeframe: Annotated[Timeframe, typer.Option(help="Bar timeframe.")] = Timeframe.D1,
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: all cores).")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for random and optuna search.")] = 0,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write every evaluation as JSON.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write a self-contained HTML report (heat map).")
    ] = None,
) -> None:
    """Search strategy parameters with full kernel backtests (grid, random or optuna)."""
    from tradebot.backtest.optimize import (
        StudyConfig,
        check_study,
        parse_space,
        run_study,
        settings_payload,
    )
    from tradebot.backtest.optimize.report import study_html, study_payload
    from tradebot.data import sample_data_dir

    check_output_file("--json", json_out)
    check_output_file("--report", report)
    settings = settings_of()
    config = StudyConfig(
        strategy=strategy,
        space=parse_space(param),
        symbols=_symbols(symbols),
        data_dir=data or settings.data.dir or sample_data_dir("equities_daily"),
        settings=settings_payload(settings),
        start=_day(start),
        end=_day(end, end=True),
        timeframe=timeframe,
        method=method,
        trials=trials,
        seed=seed,
        objective=objective,
        walk_forward=walk_forward,
        train_fraction=train_fraction,
    )
    check_study(config)
    workers = jobs if jobs is not None else os.cpu_count() or 1
    with _progress(f"optimize {strategy} ({method})") as advance:
        result = run_study(config, jobs=workers, cluster=cluster, progress=advance)
    console.print(_results_table(result))
    if result.folds:
        console.print(_folds_table(result))
        oos = result.out_of_sample or {}
        console.print(
            f"overall out-of-sample {objective}: [bold]{_num(oos.get(objective))}[/], "
            f"return {_num(oos.get('total_return'), pct=True)}, "
            f"max drawdown {_num(oos.get('max_drawdown'), pct=True)}, trades {oos.get('trades')}"
        )
    skipped = sum(result.skipped.values())
    if skipped:
        reason, count = result.skipped.most_common(1)[0]
        console.print(
            f"{skipped} invalid combinations skipped (e.g. {count}× {escape(reason)})",
            soft_wrap=True,
        )
    if json_out is not None:
        write_json(json_out, study_payload(result))
        console.print(f"every evaluation written to [bold]{escape(str(json_out))}[/]")
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(study_html(result), encoding="utf-8")
        console.print(f"report written to [bold]{escape(str(report))}[/]")
