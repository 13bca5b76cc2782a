"""A real Prometheus scrapes a real ``tradebot serve`` hosting a paper replay.

Debian's ``prometheus`` is started on a free port with a generated configuration (scrape
every second, the server's ``/metrics`` with its bearer token, storage in ``tmp_path``);
the test then asks Prometheus's HTTP API — not the server — until the decisions counter is
above zero and the equity gauge holds the replay's equity. Polled with a deadline, no
fixed sleeps; both processes are stopped at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.served import Served, free_port

DEADLINE_S = 120.0
TOKEN = "e2e-scrape-" + "k" * 40


def _prometheus() -> str:
    found = shutil.which("prometheus")
    if found is None:
        message = "prometheus is not installed (apt-get install -y prometheus)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _config(path: Path, target_port: int) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "scrape_configs": [
                    {
                        "job_name": "tradebot-serve",
                        "metrics_path": "/metrics",
                        "scrape_interval": "1s",
                        "scrape_timeout": "1s",
                        "authorization": {"type": "Bearer", "credentials": TOKEN},
                        "static_configs": [{"targets": [f"127.0.0.1:{target_port}"]}],
                    }
                ],
            }
        )
    )
    return path


def _query(client: httpx.Client, expr: str) -> list[dict[str, Any]]:
    """The instant vector ``expr`` (empty while Prometheus or the series is not there)."""
    try:
        answer = client.get("/api/v1/query", params={"query": expr}, timeout=5.0)
    except httpx.TransportError:
        return []
    if answer.status_code != 200:
        return []
    result: list[dict[str, Any]] = answer.json()["data"]["result"]
    return result


def test_prometheus_scrapes_the_decisions_and_the_equity_of_a_paper_replay(
    tmp_path: Path,
) -> None:
    binary = _prometheus()
    env = {
        "TRADEBOT_API__SYMBOLS": '["AAPL","MSFT"]',
        "TRADEBOT_API__REPLAY_SPEED": "864000",
        "TRADEBOT_API__METRICS_TOKEN": TOKEN,
    }
    served = Served(tmp_path / "serve.db", tmp_path, engine="replay", env=env)
    prometheus: subprocess.Popen[bytes] | None = None
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{served.port}") as api:
            served.wait_until_answering(api)
            assert api.get("/metrics").status_code == 401  # the token guards it
        port = free_port()
        prometheus = subprocess.Popen(
            [
                binary,
                f"--config.file={_config(tmp_path / 'prometheus.yml', served.port)}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / "prometheus.log").open("wb"),
        )
        deadline = time.monotonic() + DEADLINE_S
        decisions: list[dict[str, Any]] = []
        equity: list[dict[str, Any]] = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as prom:
            while time.monotonic() < deadline:
                if prometheus.poll() is not None:
                    log = (tmp_path / "prometheus.log").read_text()
                    pytest.fail(f"prometheus exited {prometheus.returncode}: {log[-2000:]}")
                if served.process.poll() is not None:
                    pytest.fail(f"tradebot serve exited: {served.seen}")
                decisions = _query(prom, "sum(tradebot_decisions_total) > 0")
                equity = _query(prom, "tradebot_equity > 0")
                if decisions and equity:
                    break
                time.sleep(0.2)  # the poll's interval
            else:
                targets = _query(prom, "up")
                pytest.fail(f"no decisions or equity scraped in time (up: {targets})")
            up = _query(prom, 'up{job="tradebot-serve"}')
        assert float(decisions[0]["value"][1]) > 0
        assert float(equity[0]["value"][1]) > 0
        assert up and up[0]["value"][1] == "1"
    finally:
        if prometheus is not None and prometheus.poll() is None:
            prometheus.terminate()
            try:
                prometheus.wait(timeout=30)
            except subprocess.TimeoutExpired:
                prometheus.kill()
                prometheus.wait(timeout=30)
        served.stop()
