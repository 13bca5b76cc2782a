"""The typer application and the options every command shares."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperOption

from tradebot.config import Settings, load_settings
from tradebot.ops.logging import configure_logging

__all__ = ["AppState", "app", "cli_command", "override_settings", "settings_of"]

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


def override_settings(**sections: Any) -> Settings:
    """This process's settings with some sections' fields replaced by a command's options
    (``override_settings(learning={"enabled": True})``); validated like the file."""
    current = settings_of()
    merged = current.model_dump(mode="python")
    for name, fields in sections.items():
        merged[name] = {**merged[name], **fields}
    STATE._settings = type(current).model_validate(merged)
    return STATE._settings


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"tradebot {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    config: Annotated[Path | None, typer.Option("--config", help="YAML settings file.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_show_version, is_eager=True
        ),
    ] = False,
) -> None:
    STATE.config_file = config
    STATE.debug = debug
    STATE._settings = None


def package_version() -> str:
    """The installed distribution's version (the source tree's when run uninstalled)."""
    try:
        return metadata.version("tradebot")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def cli_command() -> Any:
    """The click command typer builds from :data:`app`, with flags shown without a type.

    typer 0.29 prints ``<bool>`` beside every on/off flag in ``--help`` (``--help`` itself
    included, an option typer makes while printing help). A flag takes no value, so its
    type column is left empty: one override of typer's option class, made here."""
    if not getattr(TyperOption, "_tradebot_flags_untyped", False):
        shown = TyperOption.display_type_rich

        def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
            return None if self.is_flag else shown(self, ctx)

        TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
        TyperOption._tradebot_flags_untyped = True  # type: ignore[attr-defined]
    return typer.main.get_command(app)
