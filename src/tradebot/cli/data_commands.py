"""``tradebot data …``: market data files (``import-earnings`` lives in ``risk_commands``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tradebot.cli.app import app, settings_of
from tradebot.cli.render import console
from tradebot.domain.enums import Timeframe
from tradebot.domain.errors import ConfigError

__all__ = ["data_app"]

data_app = typer.Typer(help="Market data files.", no_args_is_help=True)
app.add_typer(data_app, name="data")


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
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite the bars already stored for a symbol.")
    ] = False,
    append: Annotated[
        bool,
        typer.Option(
            "--append",
            help="Add the new bars to those stored; overlapping bars must be identical.",
        ),
    ] = False,
) -> None:
    """Validate a CSV of OHLCV bars and convert it into the Parquet layout.

    A symbol that already has bars is refused unless --replace or --append says what to do.
    """
    from tradebot.adapters.parquet.importer import import_csv

    if replace and append:
        raise ConfigError("give --replace or --append, not both", "--append keeps stored bars")
    report = import_csv(
        file,
        data,
        timeframe=timeframe,
        symbol=symbol,
        adjusted=adjusted,
        tz=tz,
        calendar=None if calendar.lower() == "none" else calendar,
        existing="replace" if replace else "append" if append else "refuse",
    )
    table = Table(title=Text(f"Imported {file.name} into {data}"))
    middle = ["replaced"] if replace else ["new", "already there"]
    for column in ["symbol", "in file", *middle, "kept", "first", "last"]:
        dates = column in ("first", "last")
        table.add_column(
            column, justify="left" if dates or column == "symbol" else "right", no_wrap=dates
        )
    pattern = "%Y-%m-%d" if timeframe is Timeframe.D1 else "%Y-%m-%d %H:%M"
    for item in report.symbols:
        counts = [item.replaced] if replace else [item.new, item.present]
        table.add_row(
            Text(item.symbol),
            *(f"{n:,}" for n in (item.rows, *counts, item.total)),
            f"{item.first_ts:{pattern}}",
            f"{item.last_ts:{pattern}}",
        )
    console.print(table)


@data_app.command("list")
def data_list(
    data: Annotated[
        Path | None,
        typer.Option(help="Parquet data dir (default: settings data.dir, else the bundled one)."),
    ] = None,
    timeframe: Annotated[
        Timeframe | None, typer.Option(help="Only this timeframe (default: every one).")
    ] = None,
) -> None:
    """Symbols, timeframes, first and last bar and rows of a data directory."""
    from tradebot.adapters.parquet.catalog import list_series
    from tradebot.data import sample_data_dir

    directory = data or settings_of().data.dir or sample_data_dir("equities_daily")
    series = list_series(directory, timeframe)
    table = Table(title=Text(f"Bars in {directory}"))
    for column in ("symbol", "timeframe", "first", "last", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for item in series:
        pattern = "%Y-%m-%d" if item.timeframe is Timeframe.D1 else "%Y-%m-%d %H:%M"
        first = f"{item.first:{pattern}}" if item.first else "-"
        last = f"{item.last:{pattern}}" if item.last else "-"
        table.add_row(Text(item.symbol), item.timeframe.value, first, last, f"{item.rows:,}")
    console.print(table)
    if any(s.timeframe is not Timeframe.D1 for s in series):
        console.print("times are bar closes, UTC", markup=False, highlight=False)
