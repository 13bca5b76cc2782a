"""``tradebot db …``, ``tradebot data …`` and ``tradebot config show``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.config import mask_url, masked_dump
from tradebot.domain.enums import Timeframe

__all__ = ["config_app", "data_app", "db_app"]

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
data_app = typer.Typer(help="Market data files.", no_args_is_help=True)
config_app = typer.Typer(help="Configuration.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(data_app, name="data")
app.add_typer(config_app, name="config")

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
    console.print(f"database {mask_url(target)} is at revision [bold]{current(target)}[/]")


@db_app.command("downgrade")
def db_downgrade(
    url: UrlOption = None, revision: Annotated[str, typer.Option(help="Target revision.")] = "base"
) -> None:
    """Revert migrations down to REVISION (default: an empty database)."""
    from tradebot.adapters.sql.migrate import current, downgrade

    target = _url(url)
    downgrade(target, revision)
    console.print(
        f"database {mask_url(target)} is at revision [bold]{current(target) or 'base'}[/]"
    )


@db_app.command("current")
def db_current(url: UrlOption = None) -> None:
    """Show the database's migration revision."""
    from tradebot.adapters.sql.migrate import current

    console.print(current(_url(url)) or "base (no migrations applied)")


@data_app.command("import")
def data_import(
    file: Annotated[Path, typer.Argument(help="CSV (or .csv.gz) of OHLCV bars.")],
    data: Annotated[Path, typer.Option(help="Parquet data dir to write into.")] = Path("data"),
    symbol: Annotated[str | None, typer.Option(help="Symbol, when the CSV has no column.")] = None,
    timeframe: Annotated[Timeframe, typer.Option(help="Bar timeframe.")] = Timeframe.D1,
    adjusted: Annotated[bool, typer.Option(help="Use the adj_* columns.")] = False,
    tz: Annotated[str, typer.Option(help="Time zone of naive timestamps.")] = "UTC",
    calendar: Annotated[
        str,
        typer.Option(
            help="Exchange calendar whose session close labels date-only rows; 'none' labels "
            "them at 00:00 UTC of the next day (24/7 markets)."
        ),
    ] = "XNYS",
) -> None:
    """Validate a CSV of OHLCV bars and convert it into the Parquet layout."""
    from tradebot.adapters.parquet.importer import import_csv

    report = import_csv(
        file,
        data,
        timeframe=timeframe,
        symbol=symbol,
        adjusted=adjusted,
        tz=tz,
        calendar=None if calendar.lower() == "none" else calendar,
    )
    table = Table(title=f"Imported {file.name}")
    for column in ("symbol", "rows", "first", "last"):
        table.add_column(column)
    for item in report.symbols:
        table.add_row(
            item.symbol, f"{item.rows:,}", item.first_ts.isoformat(), item.last_ts.isoformat()
        )
    console.print(table)


@config_app.command("show")
def config_show() -> None:
    """Print the effective configuration, secrets masked."""
    console.print(yaml.safe_dump(masked_dump(settings_of()), sort_keys=False).rstrip())
