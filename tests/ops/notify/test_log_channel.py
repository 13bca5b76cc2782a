"""The log channel writes one structured line per notification, at a level by severity,
and never raises."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

from tests.ops.notify.fakes import note
from tradebot.domain.notifications import Severity
from tradebot.ops.logging import configure_logging
from tradebot.ops.notify import LogChannel
from tradebot.ports import NotificationChannel


@pytest.fixture(autouse=True)
def _info_is_logged() -> None:
    """Another test may have left the process's level above info."""
    configure_logging("INFO", json_output=True)


@pytest.mark.parametrize(
    ("severity", "level"),
    [(Severity.INFO, "info"), (Severity.WARNING, "warning"), (Severity.CRITICAL, "error")],
)
def test_one_line_per_notification_at_its_level(severity: Severity, level: str) -> None:
    channel = LogChannel()
    assert isinstance(channel, NotificationChannel)
    with capture_logs() as lines:
        channel.send(note(3, severity))
    assert len(lines) == 1
    line = lines[0]
    assert line["log_level"] == level
    assert line["event"] == "feed_stale"
    assert line["stage"] == "notify"
    assert (line["title"], line["body"]) == ("n3", "body 3")
    assert (line["run_id"], line["correlation_id"]) == ("run-1", "d-3")


class _BrokenLogger:
    def __getattr__(self, name: str) -> Any:
        def fail(*args: object, **kwargs: object) -> None:
            raise OSError("stderr closed")

        return fail


def test_a_broken_log_never_raises() -> None:
    channel = LogChannel(_BrokenLogger())
    channel.send(note(1))  # must not raise
    channel.close()
