"""The channel that is always there: one structured log line per notification.

It needs no account and no network, so it is the default channel (``channels = ("log",)``)
and the one that still speaks when Telegram and the mail server are both down. The line
carries the correlation id, so a notification is joined to its decision, orders and fills
by grepping one id.
"""

from __future__ import annotations

from typing import Any

from tradebot.domain.notifications import Notification, Severity
from tradebot.ops.logging import get_logger

__all__ = ["LogChannel"]

_LEVELS = {Severity.INFO: "info", Severity.WARNING: "warning", Severity.CRITICAL: "error"}
"""Log level by severity. A critical notification is logged at ``error`` (the log's most
severe level in use): the error-burst watcher must tell this line from the errors it counts,
which it can by its ``stage`` (``notify``)."""


class LogChannel:
    """:class:`~tradebot.ports.NotificationChannel` that writes to the structured log."""

    name = "log"

    def __init__(self, logger: Any | None = None) -> None:
        self._log = logger if logger is not None else get_logger("notify")

    def send(self, notification: Notification) -> None:
        """Log ``notification`` as one line. Never raises: a log that cannot be written has
        nowhere to report it, and the dispatcher must not count the log as a failed channel."""
        n = notification
        try:
            log = getattr(self._log, _LEVELS.get(n.severity, "info"))
            log(
                str(n.event),
                severity=str(n.severity),
                title=n.title,
                body=n.body,
                ts=n.ts.isoformat(),
                run_id=n.run_id,
                correlation_id=n.correlation_id,
                image=n.image.alt if n.image is not None else None,
            )
        except Exception:  # see the docstring: there is nowhere to report it
            pass

    def close(self) -> None:
        """Nothing to release."""
