"""``GET /metrics`` on the API: Prometheus's text format without a session, the optional
bearer token, out of the OpenAPI schema; and ``--metrics-port``'s server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.optional import require

require("fastapi")
require("jwt")

from fastapi.testclient import TestClient  # noqa: E402

from tests.api.conftest import TEST_SECRET, api_settings  # noqa: E402
from tradebot.api import create_app  # noqa: E402
from tradebot.api.server import auth_context_of  # noqa: E402
from tradebot.cli.metrics_server import serving_metrics  # noqa: E402
from tradebot.domain.errors import ConfigError  # noqa: E402
from tradebot.ops.metrics import EngineMetrics  # noqa: E402
from tradebot.runtime import metrics as run_metrics  # noqa: E402
from tradebot.service import Services  # noqa: E402

TOKEN = "scrape-" + "t" * 40


def _client(tmp_path: Path, **api: object) -> Iterator[TestClient]:
    services = Services.open(api_settings(f"sqlite:///{tmp_path / 'api.db'}", **api))
    try:
        app = create_app(services, auth_context_of(services, TEST_SECRET))
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            yield client
    finally:
        services.close()


@pytest.fixture
def open_client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path)


@pytest.fixture
def token_client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, metrics_token=TOKEN)


def test_metrics_answer_the_text_format_without_a_session(open_client: TestClient) -> None:
    answer = open_client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = answer.text
    assert "# TYPE tradebot_decisions_total counter" in text
    assert 'tradebot_orders_total{status="unknown"} 0.0' in text
    assert "/metrics" not in open_client.get("/openapi.json").json()["paths"]


def test_the_app_is_what_its_hosted_runs_report_to(open_client: TestClient) -> None:
    app_metrics = open_client.app.state.metrics  # type: ignore[attr-defined]
    assert isinstance(app_metrics, EngineMetrics)
    assert run_metrics.installed() is app_metrics
    app_metrics.outside_error("alpaca")
    text = open_client.get("/metrics").text
    assert 'tradebot_outside_call_errors_total{service="alpaca"} 1.0' in text


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", "Bearer "],
)
def test_with_a_token_set_nothing_else_reads_the_metrics(
    token_client: TestClient, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = token_client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert TOKEN not in answer.text
    assert "tradebot_" not in answer.text


def test_with_a_token_set_the_token_reads_them(token_client: TestClient) -> None:
    answer = token_client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert "tradebot_equity" in answer.text


def test_the_session_server_serves_on_loopback_and_stops() -> None:
    with serving_metrics(0) as server:
        metrics = run_metrics.installed()
        assert metrics is not None and server is not None
        metrics.equity.set(1234.5)
        port = server.port
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5.0).text
        assert "tradebot_equity 1234.5" in text
    assert run_metrics.installed() is None
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2.0)


def test_a_port_in_use_is_one_error_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = pytest.raises(ConfigError, match=f"cannot serve metrics on 127.0.0.1:{port}")
        with refused, serving_metrics(port):
            pytest.fail("the block must not run")
