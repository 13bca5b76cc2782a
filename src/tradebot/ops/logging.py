"""structlog set-up: a console renderer on a terminal, JSON lines otherwise.

Every logger is bound to the stage that logs (``get_logger("order-manager")``), so each line
says where it came from. Secrets never reach a log: values that look like URLs with
passwords are masked by a processor, and tracebacks are plain (file, line, code — never
the frames' local variables, which may hold tokens).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from tradebot.config import mask_url
from tradebot.ops.error_burst import ERROR_BURSTS

__all__ = ["configure_logging", "get_logger"]


def _mask_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = mask_url(value)
    return event


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at the time of writing, not the stream that was
    there when logging was configured (a test runner or an in-process CLI invocation swaps
    it and closes its own afterwards)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(level: str = "INFO", json_output: bool | None = None) -> None:
    """Configure structlog once per process; ``json_output=None`` picks by ``isatty``."""
    as_json = not sys.stderr.isatty() if json_output is None else json_output
    # Tracebacks are plain text, formatted before the masking so that it covers them too:
    # structlog's default console formatter (Rich) prints every frame's local variables,
    # and a refresh token or setup code held in a local would land in the log with the
    # traceback of any 500. The console renderer's own formatter is plain as well, for an
    # exc_info that reaches it some other way.
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            ERROR_BURSTS,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _mask_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=False,
    )


def get_logger(stage: str) -> Any:
    """A logger whose every message carries ``stage``."""
    return structlog.get_logger(stage=stage)  # lazy: a later configure_logging still applies
