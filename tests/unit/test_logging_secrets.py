"""Logged tracebacks never show the frames' local variables (a refresh token held in a
local once reached the console log with the traceback of a 500), and the URL masking
covers the traceback text too. Both renderers, as ``configure_logging`` sets them up."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import structlog

from tradebot.ops.logging import configure_logging, get_logger


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Each test configures structlog; the process's configuration comes back after it."""
    saved = structlog.get_config()
    try:
        yield
    finally:
        structlog.configure(**saved)


def _refresh_with(token: str) -> None:
    held_refresh_token = token  # a local of the failing frame, as in /api/auth/refresh
    raise RuntimeError(f"database is locked (token of {len(held_refresh_token)} chars)")


def _log_failure(token: str) -> None:
    try:
        _refresh_with(token)
    except RuntimeError as exc:
        get_logger("api").error("request failed", exc_info=exc)


@pytest.mark.parametrize("json_output", [False, True], ids=["console", "json"])
def test_a_logged_traceback_shows_no_local_values(
    json_output: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json_output=json_output)
    token = secrets.token_urlsafe(32)  # made at run time: no source line contains it
    _log_failure(token)
    logged = capsys.readouterr().err
    assert "_refresh_with" in logged and "database is locked" in logged  # the traceback is there
    assert token not in logged


@pytest.mark.parametrize("json_output", [False, True], ids=["console", "json"])
def test_a_password_in_an_exception_message_is_masked(
    json_output: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json_output=json_output)
    password = secrets.token_hex(12)
    try:
        raise ConnectionError(f"cannot reach postgresql://bot:{password}@db.internal/tradebot")
    except ConnectionError as exc:
        get_logger("store").error("store unreachable", exc_info=exc)
    logged = capsys.readouterr().err
    assert "postgresql://bot:**********@db.internal/tradebot" in logged
    assert password not in logged
