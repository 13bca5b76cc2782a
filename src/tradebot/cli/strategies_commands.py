"""``tradebot strategies list``: every strategy the registry can load, and what failed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tradebot.cli.app import app
from tradebot.cli.render import console, err_console
from tradebot.domain.errors import ConfigError

__all__ = ["strategies_app"]

strategies_app = typer.Typer(help="Trading strategies.", no_args_is_help=True)
app.add_typer(strategies_app, name="strategies")


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@strategies_app.command("list")
def strategies_list(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir", help="User strategy directory (default: $TRADEBOT_STRATEGY_DIR, if set)."
        ),
    ] = None,
) -> None:
    """Name, warm-up (bars, default parameters), parameters and description of each strategy."""
    from tradebot.strategies.registry import load_registry

    if directory is not None and not directory.is_dir():
        raise ConfigError(
            f"strategy directory {directory} does not exist",
            "pass --dir a folder of strategy modules (*.py)",
        )
    registry = load_registry(directory)
    table = Table(title="Strategies")
    table.add_column("name", style="bold")
    table.add_column("warm-up", justify="right")
    table.add_column("parameters (defaults)")
    table.add_column("description")
    for name in registry.names():
        spec = registry.specs[name]
        params = ", ".join(f"{k}={_value(v)}" for k, v in spec.params.model_dump().items())
        origin = "" if spec.origin == "built-in" else f" [dim]({escape(spec.origin)})[/]"
        table.add_row(
            name, str(spec.warmup_period), escape(params), escape(spec.description) + origin
        )
    console.print(table)
    for problem in registry.problems:
        err_console.print(
            f"[bold yellow]not loaded:[/] {escape(problem.one_line())}",
            highlight=False,
            soft_wrap=True,
        )
