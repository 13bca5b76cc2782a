"""The options ``paper --broker`` and ``live`` share, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["Exchange", "Params", "Strategies", "Strategy", "Symbols"]

Exchange = Annotated[
    str | None, typer.Option(metavar="ID", help="CCXT exchange id (default: binance).")
]
Symbols = Annotated[str | None, typer.Option(help="Comma-separated symbols.")]
Strategy = Annotated[str | None, typer.Option(help="One strategy (live data).")]
Strategies = Annotated[
    str | None, typer.Option(help="Several strategies, through the ensemble (live data).")
]
Params = Annotated[
    list[str] | None, typer.Option("--param", metavar="NAME=VALUE", help="Parameter.")
]
