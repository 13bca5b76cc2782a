"""``tradebot serve`` as a real process for end-to-end tests: a free port, its console read
line by line (the setup code is printed there), polled until it answers."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

__all__ = ["CODE", "DEADLINE_S", "TRADEBOT", "Served", "free_port"]

TRADEBOT = Path(sys.executable).with_name("tradebot")
CODE = re.compile(r"setup code ([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})")
DEADLINE_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Served:
    """The server process, its port, and its console lines as they come."""

    def __init__(
        self,
        db: Path,
        cwd: Path,
        engine: str = "none",
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "TRADEBOT_STORE__URL": f"sqlite:///{db}",
            "TRADEBOT_API__JWT_SECRET": "e2e-serve-secret-" + "s" * 40,
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "200",
            **(env or {}),
        }
        self.process = subprocess.Popen(
            [str(TRADEBOT), "serve", "--engine", engine, "--port", str(self.port)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_line(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """The first console line matching ``pattern`` (fails past the deadline)."""
        while True:
            for line in self.seen:
                if found := pattern.search(line):
                    return found
            try:
                self.seen.append(self.lines.get(timeout=DEADLINE_S))
            except queue.Empty:
                pytest.fail(f"no line matching {pattern.pattern!r}; got {self.seen}")

    def wait_until_answering(self, client: httpx.Client) -> httpx.Response:
        """Poll until the server answers, or fail if it died or took too long."""
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"tradebot serve exited {self.process.returncode}: {self.seen}")
            try:
                return client.get("/api/auth/status", timeout=2.0)
            except httpx.TransportError:
                time.sleep(0.1)  # the poll's interval
        pytest.fail("tradebot serve did not answer in time")

    @property
    def origin(self) -> str:
        """The address a browser uses (the WebAuthn origin: localhost, not 127.0.0.1)."""
        return f"http://localhost:{self.port}"

    def stop(self) -> None:
        """Ctrl-C, then a kill if it does not go in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=DEADLINE_S)
