"""Runs the CLI in the test's own process (faster than a subprocess, and the fakes of the
test's fixtures are reachable): exit code and what it printed."""

from __future__ import annotations

import pytest

from tradebot.cli import main


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``tradebot ARGS``: (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
