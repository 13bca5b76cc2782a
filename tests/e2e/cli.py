"""Runs the ``tradebot`` command as a user does: a fresh process, its own database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_tradebot(
    *args: str, db: Path, cwd: Path, timeout: float = 300, columns: str = "200"
) -> subprocess.CompletedProcess[str]:
    """``python -m tradebot ARGS`` in ``cwd`` with the store at ``db``; output captured."""
    env = {**os.environ, "TRADEBOT_STORE__URL": f"sqlite:///{db}", "COLUMNS": columns}
    return subprocess.run(
        [sys.executable, "-m", "tradebot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
