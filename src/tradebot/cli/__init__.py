"""The ``tradebot`` command. User errors end in one line on stderr, exit code 2; ``--debug``
shows the traceback."""

from __future__ import annotations

import sys

from tradebot.cli import (  # noqa: F401  (importing registers the commands)
    admin_commands,
    news_commands,
    optimize_commands,
    risk_commands,
    run_commands,
    runs_commands,
    sentiment_commands,
    strategies_commands,
)
from tradebot.cli.app import STATE, app
from tradebot.cli.render import err_console
from tradebot.domain.errors import TradebotError
from tradebot.engine.bus import StageError

__all__ = ["admin_commands", "app", "main", "run_commands"]


def _user_error(exc: BaseException) -> TradebotError | None:
    while exc is not None:
        if isinstance(exc, TradebotError):
            return exc
        if not isinstance(exc, StageError):
            return None
        exc = exc.__cause__  # type: ignore[assignment]
    return None


def main() -> None:
    try:
        app(standalone_mode=False)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except BaseException as exc:
        import click

        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, SystemExit):
            raise
        error = _user_error(exc)
        if error is None or STATE.debug:
            raise
        err_console.print(
            f"[bold red]error:[/] {error.one_line()}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
