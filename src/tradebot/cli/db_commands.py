"""``tradebot db …``: schema migrations."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.config import mask_url
from tradebot.domain.errors import ConfigError

__all__ = ["db_app"]

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")

UrlOption = Annotated[str | None, typer.Option(help="Database URL (default: settings).")]


def _url(url: str | None) -> str:
    return url or settings_of().store.url


@db_app.command("upgrade")
def db_upgrade(
    url: UrlOption = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "head"
) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from tradebot.adapters.sql.migrate import current, upgrade

    target = _url(url)
    upgrade(target, revision)
    now = escape(current(target) or "")
    console.print(f"database {escape(mask_url(target))} is at revision [bold]{now}[/]")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[
        str,
        typer.Argument(
            metavar="REVISION",
            help="Target: a revision id (`tradebot db current` shows where it is), previous "
            "for one step back, or base to drop every table.",
            show_default=False,
        ),
    ],
    url: UrlOption = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask; the data in dropped tables is lost.")
    ] = False,
) -> None:
    """Revert migrations down to REVISION. Destructive: asks first unless --yes."""
    from tradebot.adapters.sql.migrate import current, downgrade

    target = _url(url)
    at = current(target)
    if at is None:
        console.print(f"database {escape(mask_url(target))} has no migrations applied")
        return
    alembic_target = "-1" if revision == "previous" else revision
    if not yes:
        effect = "drops every table" if revision == "base" else f"reverts revision {at}"
        _confirm(f"downgrading {mask_url(target)} to {revision} {effect} and the data it holds")
    downgrade(target, alembic_target)
    console.print(
        f"database {escape(mask_url(target))} is at revision "
        f"[bold]{escape(current(target) or 'base')}[/]"
    )


def _confirm(what: str) -> None:
    """Ask on a terminal; refuse without one (a script must say --yes)."""
    if not sys.stdin.isatty():
        raise ConfigError(f"not confirmed: {what}", "add --yes to go ahead")
    if not typer.confirm(f"{what[0].upper()}{what[1:]}. Go on?", default=False):
        raise ConfigError("nothing changed", "add --yes to go ahead without asking")


@db_app.command("current")
def db_current(url: UrlOption = None) -> None:
    """Show the database's migration revision."""
    from tradebot.adapters.sql.migrate import current

    console.print(current(_url(url)) or "base (no migrations applied)")
