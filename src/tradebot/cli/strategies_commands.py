"""``tradebot strategies list``: every strategy the registry can load, and what failed;
``strategies weights [--history]`` and ``strategies reset-weights``: the ensemble's weights and
the learning engine's audit trail."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console, err_console
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.adapters.sql.store import SqlStore

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


def _weights_store() -> SqlStore:
    from tradebot.adapters.sql.store import SqlStore

    return SqlStore(settings_of().store.url)


@strategies_app.command("weights")
def strategies_weights(
    history: Annotated[
        bool, typer.Option("--history", help="Every recorded adjustment, oldest first.")
    ] = False,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Only the adjustments of this run (--history).")
    ] = None,
    strategy: Annotated[
        str | None, typer.Option("--strategy", help="Only this strategy (--history).")
    ] = None,
) -> None:
    """Each strategy's current ensemble weight; --history: the learning engine's audit trail
    (old and new weight, reward, outcomes, the guardrail that clipped it, policy, shadow)."""
    store = _weights_store()
    try:
        if not history:
            _print_weights(store.strategy_weights(active_only=False))
            return
        records = store.weight_adjustments(run_id=run_id, strategy=strategy)
    finally:
        store.close()
    table = Table(title="Weight adjustments")
    for column in ("time", "run", "strategy", "old", "new", "reward", "outcomes"):
        table.add_column(column, justify="right" if column in _NUMERIC else "left")
    for column in ("clipped by", "policy", "shadow"):
        table.add_column(column)
    for r in records:
        table.add_row(
            f"{r.ts:%Y-%m-%d %H:%M}",
            r.run_id or "(reset)",
            r.strategy,
            f"{r.old:.4f}",
            f"{r.new:.4f}",
            f"{r.reward:+.4f}",
            str(r.outcomes),
            r.clipped_by or "",
            r.policy,
            "yes" if r.shadow else "",
        )
    console.print(table)
    if not records:
        err_console.print("no adjustments recorded (run with `--learning on`)", highlight=False)


_NUMERIC = {"old", "new", "reward", "outcomes"}


def _print_weights(weights: dict[str, float]) -> None:
    table = Table(title="Strategy weights")
    table.add_column("strategy", style="bold")
    table.add_column("weight", justify="right")
    for name, weight in weights.items():
        table.add_row(name, f"{weight:.4f}")
    console.print(table)
    if not weights:
        err_console.print("no strategies known yet (a run registers them)", highlight=False)


@strategies_app.command("reset-weights")
def strategies_reset_weights() -> None:
    """Give every known strategy an equal weight again (each change recorded as an
    adjustment of policy ``reset``, belonging to no run)."""
    from tradebot.adapters.clock import utc_now
    from tradebot.learning import WeightChange

    store = _weights_store()
    try:
        known = store.strategy_weights(active_only=False)
        if not known:
            raise ConfigError("no strategies known yet", "run a backtest first: it registers them")
        equal = 1.0 / len(known)
        now = utc_now()
        for name, old in known.items():
            change = WeightChange(
                strategy=name,
                old=old,
                new=equal,
                reward=0.0,
                outcomes=0,
                clipped_by=None,
                policy="reset",
            )
            store.record_weight_adjustment(None, change, now, apply=True, reason="reset-weights")
        _print_weights(store.strategy_weights(active_only=False))
    finally:
        store.close()
