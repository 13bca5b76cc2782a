"""``tradebot backtest list | show ID | compare ID ID`` (what past runs did, from the store)
and ``tradebot lookahead`` (does a strategy peek at the future?)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import closed_trades_table, console
from tradebot.cli.run_commands import backtest_app
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.adapters.sql.mapping import RunRecord
    from tradebot.adapters.sql.store import SqlStore

__all__ = ["compare_runs", "list_runs", "lookahead", "show_run"]

_HEADLINE = ("total_return", "sharpe", "max_drawdown", "trades", "win_rate", "final_equity")


def _store() -> SqlStore:
    from tradebot.adapters.sql.store import SqlStore

    return SqlStore(settings_of().store.url)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.4f}"
    if isinstance(value, dict):  # a learned run's final weights: learned vs fixed side by side
        return " · ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    return str(value)


def _learning(record: RunRecord) -> str:
    """Whether the run learned its weights (and with which policy), or kept them fixed."""
    metrics = record.metrics or {}
    policy = metrics.get("learning_policy")
    if policy is None:
        return "fixed weights"
    return f"{policy}{' (shadow)' if metrics.get('learning_shadow') else ''}"


def _get(store: SqlStore, run_id: str) -> RunRecord:
    record = store.run(run_id)
    if record is None:
        raise ConfigError(
            f"no run {run_id!r} in the database", "list the runs with `tradebot backtest list`"
        )
    return record


@backtest_app.command("list")
def list_runs(
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    mode: Annotated[str | None, typer.Option(help="backtest, paper or live.")] = None,
) -> None:
    """Past runs, newest first."""
    store = _store()
    try:
        records = store.runs(mode=mode, limit=limit)
    finally:
        store.close()
    table = Table(title="Runs")
    table.add_column("run", no_wrap=True)  # an id is copied into other commands: never folded
    for column in ("status", "strategies", "symbols", "return", "sharpe", "trades"):
        table.add_column(column, overflow="fold")
    for r in records:
        info, metrics = r.info, r.metrics or {}
        symbols = ",".join(info.symbols[:4]) + ("…" if len(info.symbols) > 4 else "")
        headline = (_fmt(metrics.get(k)) for k in ("total_return", "sharpe", "trades"))
        table.add_row(info.id, r.status, info.strategy, symbols, *headline)
    console.print(table)


@backtest_app.command("show")
def show_run(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="Run id.")],
    trades_shown: Annotated[
        int,
        typer.Option("--trades", min=0, help="How many closed trades to list, the last ones."),
    ] = 50,
) -> None:
    """One run: its set-up, status, metrics and its closed trades."""
    store = _store()
    try:
        record = _get(store, run_id)
        trades = store.closed_trades(run_id)
    finally:
        store.close()
    info = record.info
    metrics = record.metrics or {}
    table = Table(title=f"Run {info.id}", show_header=False)
    table.add_column("field")
    table.add_column("value", overflow="fold")
    period = f"{_fmt(info.data_start)[:10]} → {_fmt(info.data_end)[:10]}"
    for name, value in [
        ("mode", info.mode.value),
        ("status", record.status),
        ("strategies", info.strategy),
        ("symbols", ", ".join(info.symbols)),
        ("timeframe", info.timeframe.value),
        ("period asked", period),
        ("git revision", info.config.get("git_revision")),
        *sorted((k, v) for k, v in metrics.items() if not isinstance(v, dict | list)),
    ]:
        table.add_row(name, _fmt(value))
    console.print(table)
    attribution = metrics.get("strategies")
    if isinstance(attribution, dict) and attribution:
        console.print(_attribution_table(attribution))
    console.print(closed_trades_table(trades, trades_shown))


def _attribution_table(attribution: dict[str, Any]) -> Table:
    """Each strategy's share of the closed trades it contributed to."""
    table = Table(title="By strategy (closed trades it contributed to)", header_style="bold")
    for column in ("strategy", "trades", "wins", "losses", "P&L"):
        table.add_column(column, justify="left" if column == "strategy" else "right")
    for name, row in sorted(attribution.items()):
        figures = row if isinstance(row, dict) else {}
        table.add_row(
            name,
            *(str(figures.get(k, "")) for k in ("trades", "wins", "losses")),
            f"{float(figures.get('pnl') or 0.0):,.2f}",
        )
    return table


@backtest_app.command("compare")
def compare_runs(
    run_ids: Annotated[list[str], typer.Argument(metavar="RUN_ID...", help="Two or more run ids.")],
) -> None:
    """Metrics of several runs side by side."""
    if len(run_ids) < 2:
        raise ConfigError("compare needs at least two run ids", "pass two or more ids")
    store = _store()
    try:
        records = [_get(store, run_id) for run_id in run_ids]
    finally:
        store.close()
    table = Table(title="Compare runs")
    table.add_column("metric")
    for record in records:
        table.add_column(record.info.id, justify="right")
    names = sorted({k for r in records for k in (r.metrics or {})})
    ordered = [n for n in _HEADLINE if n in names] + [n for n in names if n not in _HEADLINE]
    table.add_row("strategies", *(r.info.strategy for r in records))
    table.add_row("learning", *(_learning(r) for r in records))
    for name in ordered:
        table.add_row(name, *(_fmt((r.metrics or {}).get(name)) for r in records))
    console.print(table)


@app.command("lookahead")
def lookahead(
    strategy: Annotated[str, typer.Option(help="Strategy to check.")],
    symbols: Annotated[str, typer.Option(help="Comma-separated symbols.")] = "AAPL,MSFT",
    param: Annotated[list[str] | None, typer.Option(help="Parameter name=value.")] = None,
    data: Annotated[Path | None, typer.Option(help="Parquet data dir (default: bundled).")] = None,
    timeframe: Annotated[Timeframe, typer.Option(help="Bar timeframe.")] = Timeframe.D1,
    cuts: Annotated[int, typer.Option(help="Truncated replays per symbol.", min=1)] = 20,
) -> None:
    """Report any opinion of STRATEGY that changes when future bars are removed."""
    from tradebot.adapters.parquet import ParquetReplayFeed
    from tradebot.backtest.lookahead import check_lookahead
    from tradebot.cli.run_commands import _params, _symbols
    from tradebot.data import sample_data_dir
    from tradebot.strategies import make_factory

    settings = settings_of()
    factory = make_factory(
        strategy,
        _params(param or [], (strategy,)).get(strategy, {}),
        user_dir=settings.strategy.dir,
    )
    data_dir = data or settings.data.dir or sample_data_dir("equities_daily")
    table = Table(title=f"Look-ahead check — {strategy}")
    for column in ("symbol", "bars", "cuts", "changed opinions", "first change"):
        table.add_column(column)
    dirty = 0
    for symbol in _symbols(symbols):
        bars = list(ParquetReplayFeed(data_dir, [symbol], timeframe).bars())
        report = check_lookahead(factory, bars, cuts)
        first = report.mismatches[0] if report.mismatches else None
        where = (
            "—"
            if first is None
            else (f"bar {first.index} ({bars[first.index].ts:%Y-%m-%d}) with cut at {first.cut}")
        )
        table.add_row(
            symbol, f"{report.bars:,}", str(len(report.cuts)), str(len(report.mismatches)), where
        )
        dirty += len(report.mismatches)
    console.print(table)
    if dirty:
        console.print(
            f"[bold red]{strategy} looks ahead:[/] {dirty} opinion(s) change "
            "when later bars are removed"
        )
        raise typer.Exit(1)
    console.print(f"[bold green]{strategy}: no look-ahead found[/]")
