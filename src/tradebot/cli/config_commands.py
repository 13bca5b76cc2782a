"""``tradebot config show``."""

from __future__ import annotations

import typer
import yaml

from tradebot.cli.app import app, settings_of
from tradebot.config import masked_dump

__all__ = ["config_app"]

config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("show")
def config_show() -> None:
    """Print the effective configuration as YAML, secrets masked (``config show > bot.yaml``
    gives a file ``--config`` reads back: written as is, never wrapped or styled)."""
    text = yaml.safe_dump(masked_dump(settings_of()), sort_keys=False, width=10_000)
    typer.echo(text.rstrip())
