"""The typer application and the options every command shares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from tradebot.config import Settings, load_settings
from tradebot.ops.logging import configure_logging

__all__ = ["AppState", "app", "settings_of"]

app = typer.Typer(
    name="tradebot",
    help="Autonomous trading: news, sentiment, strategies, risk engine — one kernel for "
    "backtest, paper and live.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@dataclass(slots=True)
class AppState:
    config_file: Path | None = None
    debug: bool = False
    _settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_file)
            configure_logging(
                "DEBUG" if self.debug else self._settings.log.level, self._settings.log.json_output
            )
        return self._settings


STATE = AppState()


def settings_of() -> Settings:
    return STATE.settings()


@app.callback()
def _root(
    config: Annotated[Path | None, typer.Option("--config", help="YAML settings file.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    STATE.config_file = config
    STATE.debug = debug
    STATE._settings = None
