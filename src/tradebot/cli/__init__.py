"""The ``tradebot`` command. User errors end in one line on stderr, exit code 2; ``--debug``
shows the traceback."""

from __future__ import annotations

import os
import sys

from tradebot.cli import (  # noqa: F401  (importing registers the commands)
    config_commands,
    control_commands,
    data_commands,
    db_commands,
    drift_commands,
    live_commands,
    news_commands,
    notify_commands,
    openapi_commands,
    optimize_commands,
    risk_commands,
    run_commands,
    runs_commands,
    sentiment_commands,
    serve_commands,
    strategies_commands,
    users_commands,
)
from tradebot.cli.app import STATE, app, cli_command
from tradebot.cli.failures import report_failure
from tradebot.cli.render import err_console

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Run the command line; every way it ends is an exit code (see :mod:`.failures`)."""
    try:
        returned = cli_command().main(args=argv, prog_name="tradebot", standalone_mode=False)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:  # `tradebot ... | head`: the reader left, nothing more to say
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's flush quiet
        sys.exit(1)
    except SystemExit:
        raise
    except BaseException as exc:
        sys.exit(report_failure(exc, debug=STATE.debug))
    if isinstance(returned, int) and not isinstance(returned, bool):
        if returned == 130:
            err_console.print("interrupted")
        sys.exit(returned)
