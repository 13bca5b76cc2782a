"""Rich output: progress bars, summary tables, JSON files."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tradebot.domain.messages import ClosedTrade

if TYPE_CHECKING:
    from tradebot.engine.kernel import RunResult

__all__ = [
    "closed_trades_table",
    "console",
    "progress_bar",
    "summary_table",
    "trades_payload",
    "write_json",
]

PIPED_WIDTH = 160
"""Columns of output that goes to a file or a pipe (rich's own default there is 80, which
folds run ids and strategy lists in the middle); ``COLUMNS`` still wins."""


def _stdout_width() -> int | None:
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return None
    return PIPED_WIDTH


# emoji off: a user's ``fast=5:b:7`` must not print as "fast=5🅱7".
console = Console(width=_stdout_width(), emoji=False)
err_console = Console(stderr=True, emoji=False)


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar; yields a callback taking the number of events done."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=total)

        def advance(done: int) -> None:
            progress.update(task, completed=done)

        yield advance
        progress.update(task, completed=total if total is not None else None)


def _pct(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:,.2f} %"


def _num(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.2f}"


def summary_table(result: RunResult, title: str) -> Table:
    m = result.metrics
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("run", result.run_id),
        ("status", result.status),
        ("period", f"{(m.get('start') or '')[:10]} → {(m.get('end') or '')[:10]}"),
        ("bars", f"{result.counts.get('bars', 0):,}"),
        ("articles", f"{result.counts.get('articles', 0):,}"),
        ("scored news items", f"{result.counts.get('scored_articles', 0):,}"),
        ("final equity", _num(m["final_equity"])),
        ("total return", _pct(m["total_return"])),
        ("annual return", _pct(m.get("annual_return"))),
        ("buy & hold return", _pct(m.get("benchmark_return"))),
        ("trades", str(m["trades"])),
        ("win rate", _pct(m["win_rate"])),
        ("profit factor", _num(m.get("profit_factor"))),
        ("exposure", _pct(m.get("exposure"))),
        ("max drawdown", _pct(m["max_drawdown"])),
        (f"Sharpe (daily, √{m.get('periods_per_year', 252):g})", _num(m["sharpe"])),
        ("Sortino / Calmar", f"{_num(m.get('sortino'))} / {_num(m.get('calmar'))}"),
        ("alpha / beta", f"{_num(m.get('alpha'))} / {_num(m.get('beta'))}"),
        ("decisions acted", str(m["decisions_acted"])),
        ("decisions skipped", str(m["decisions_skipped"])),
        (
            "news strategy: signals / acted",
            f"{m.get('news_signals', 0)} / {m.get('news_decisions_acted', 0)}",
        ),
        ("open positions at end", str(m["open_positions"])),
    ]
    if "final_weights" in m:  # a run that learned its weights (or shadowed a policy)
        shadow = " (shadow: not used)" if m.get("learning_shadow") else ""
        rows.append(
            (
                f"learning: {m.get('learning_policy')}{shadow}",
                f"{m.get('learning_outcomes', 0)} outcomes, "
                f"{m.get('learning_adjustments', 0)} adjustments",
            )
        )
        weights = m["final_weights"]
        rows.append(("final weights", " · ".join(f"{k} {v:.2f}" for k, v in weights.items())))
    for name, value in rows:
        table.add_row(name, value)
    return table


def closed_trades_table(trades: Sequence[ClosedTrade], last: int) -> Table:
    """The last ``last`` closed trades of a run, oldest first, with the count in the title."""
    shown = list(trades[-last:]) if last else []
    more = f", the last {len(shown)} shown" if len(shown) < len(trades) else ""
    table = Table(title=f"{len(trades)} closed trades{more}", header_style="bold")
    for column in ("symbol", "entry (UTC)", "exit (UTC)", "qty", "entry", "exit", "P&L"):
        table.add_column(column, justify="left" if column == "symbol" else "right")
    table.add_column("return", justify="right")
    table.add_column("strategies")
    for t in shown:
        table.add_row(
            t.symbol,
            f"{t.entry_ts:%Y-%m-%d %H:%M}",
            f"{t.exit_ts:%Y-%m-%d %H:%M}",
            f"{t.quantity.normalize():f}",
            f"{t.entry_price:,.2f}",
            f"{t.exit_price:,.2f}",
            f"{t.pnl:,.2f}",
            _pct(t.return_pct),
            ", ".join(t.strategies),
        )
    return table


def trades_payload(result: RunResult) -> dict[str, Any]:
    """``{"metrics": …, "counts": …, "trades": […]}`` with every trade's symbol, times,
    prices, P&L; ``counts`` holds the run's event counts (bars, articles, scored news items,
    signals, the news strategy's signals and acted decisions, ...)."""
    metrics = {
        k: (None if isinstance(v, float) and math.isnan(v) else v)
        for k, v in result.metrics.items()
    }
    trades = [
        {
            "symbol": t.symbol,
            "entry_time": t.entry_ts.isoformat(),
            "exit_time": t.exit_ts.isoformat(),
            "entry_price": str(t.entry_price),
            "exit_price": str(t.exit_price),
            "quantity": str(t.quantity),
            "pnl": str(t.pnl),
            "commission": str(t.commission),
            "return_pct": t.return_pct,
            "strategies": list(t.strategies),
        }
        for t in result.trades
    ]
    return {
        "run_id": result.run_id,
        "status": result.status,
        "metrics": metrics,
        "counts": dict(result.counts),
        "trades": trades,
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
