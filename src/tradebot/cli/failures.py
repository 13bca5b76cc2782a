"""How the ``tradebot`` command ends when something goes wrong: one line on stderr.

Three kinds of failure reach :func:`report_failure`:

- a *usage* error (unknown option, bad choice, missing argument, out-of-range number) raised
  by typer's own parser: typer's usage line, then one ``error:`` line, exit code 2;
- an error the user can fix (:class:`~tradebot.domain.errors.TradebotError`, possibly
  wrapped by a stage of the kernel, or an :class:`OSError` such as a full disk or a file
  that cannot be written): one ``error:`` line, exit code 2;
- anything else is a bug: the traceback, as it is.

typer carries its own copy of click (``typer._click``), whose exceptions derive from the
public :class:`typer.TyperException`; nothing here imports click, which the environment
``make demo`` builds does not have. ``--debug`` re-raises every error with its traceback.
"""

from __future__ import annotations

import errno
from typing import Any

import typer
from rich.markup import escape

from tradebot.cli.render import err_console
from tradebot.engine.bus import user_error

__all__ = ["USER_ERROR_EXIT", "print_error", "report_failure", "user_error"]

USER_ERROR_EXIT = 2


def print_error(line: str) -> None:
    """``error: LINE`` on stderr, never wrapped and never read as rich markup (a hint such
    as ``pip install 'tradebot[postgres]'`` keeps its brackets)."""
    err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)


def _usage_error(exc: typer.TyperException) -> int:
    """typer's usage line and one error line naming the option and where to read more."""
    ctx: Any = getattr(exc, "ctx", None)
    message = _first_line(getattr(exc, "format_message", lambda: str(exc))())
    if exc.__class__.__name__ == "NoArgsIsHelpError" and ctx is not None:
        typer.echo(ctx.get_help())
        return USER_ERROR_EXIT
    message = message.replace("Value error, ", "")
    if ctx is not None:
        err_console.print(escape(ctx.get_usage()), highlight=False, soft_wrap=True)
    path = ctx.command_path if ctx is not None else "tradebot"
    message = f"{message} (see `{path} --help`)"
    print_error(message)
    return int(getattr(exc, "exit_code", USER_ERROR_EXIT) or USER_ERROR_EXIT)


def _os_error(exc: OSError) -> str:
    what = exc.strerror or str(exc) or type(exc).__name__
    where = f": {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device{where} — free some disk space and run again"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what}{where} — pick a path you can write to, or fix its permissions"
    return f"{what}{where}"


def _first_line(text: str) -> str:
    """typer's message on one line (a choice list comes one per line)."""
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())


def report_failure(exc: BaseException, *, debug: bool) -> int:
    """Show ``exc`` the way the module docstring says; the exit code, or re-raise a bug."""
    if isinstance(exc, typer.TyperException):
        if exc.__class__.__name__ == "Abort":
            print_error("aborted")
            return 1
        if debug:
            raise exc
        return _usage_error(exc)
    if debug:
        raise exc
    error = user_error(exc)
    if error is not None:
        print_error(error.one_line())
        return USER_ERROR_EXIT
    if isinstance(exc, OSError):
        print_error(_os_error(exc))
        return USER_ERROR_EXIT
    raise exc
