"""How a scrape gets the metrics: the text format, the optional bearer token, and a small
HTTP server for processes without the API (``tradebot paper``/``live --metrics-port``).

The API mounts ``/metrics`` outside its sign-in (Prometheus has no browser session); it is
served on the API's own address (loopback by default) and, when ``api.metrics_token`` is
set, answers only a request carrying it as ``Authorization: Bearer`` — compared in constant
time, never logged. The standalone server binds 127.0.0.1 only: it has no token check, so
it is never exposed beyond the machine.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from typing import Any, Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import start_http_server

__all__ = ["CONTENT_TYPE", "LOOPBACK", "MetricsServer", "authorised", "render", "serve"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
"""Prometheus's text exposition format 0.0.4, which every Prometheus reads (Debian's 2.x
included); our metric names need nothing newer."""
LOOPBACK: Final = "127.0.0.1"


def render(registry: CollectorRegistry) -> bytes:
    """Every metric of ``registry`` in the text format."""
    return generate_latest(registry)


def authorised(header: str | None, token: str | None) -> bool:
    """Whether a request with ``Authorization: header`` may read the metrics: always when
    no token is configured, else only with ``Bearer <token>`` (constant-time compare)."""
    if not token:
        return True
    if header is None:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@dataclass(slots=True)
class MetricsServer:
    """prometheus_client's HTTP server on a thread of its own; :meth:`close` stops it."""

    port: int
    _server: Any
    _thread: threading.Thread

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5.0)


def serve(registry: CollectorRegistry, port: int) -> MetricsServer:
    """Serve ``registry`` on ``127.0.0.1:port`` (0: any free port) until closed. A port in
    use raises ``OSError``: the caller says so in one line."""
    server, thread = start_http_server(port, addr=LOOPBACK, registry=registry)
    return MetricsServer(server.server_port, server, thread)
