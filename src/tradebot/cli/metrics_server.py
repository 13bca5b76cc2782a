"""``--metrics-port``: a long-running ``tradebot paper`` or ``live`` serves its metrics (and,
through :func:`operating`, notifies its owner).

Prometheus client's own HTTP server on 127.0.0.1 only (it checks no token, so it is never
exposed beyond the machine; put a proxy in front to scrape from elsewhere), on a registry
of this process's own, for as long as the session runs. A port in use is one error line
before the session opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from tradebot.cli.render import console
from tradebot.domain.errors import ConfigError

if TYPE_CHECKING:
    from tradebot.ops.metrics import MetricsServer

__all__ = ["MetricsPort", "operating", "serving_metrics"]

MetricsPort = Annotated[
    int | None,
    typer.Option(
        "--metrics-port",
        metavar="N",
        min=1,
        max=65535,
        help="Serve Prometheus metrics on 127.0.0.1:N/metrics while the session runs.",
    ),
]


@contextmanager
def serving_metrics(port: int | None) -> Iterator[MetricsServer | None]:
    """Serve this process's metrics on ``port`` (0: a free one) while the block runs; the
    server, or None without a port."""
    if port is None:
        yield None
        return
    from tradebot.ops.metrics import EngineMetrics, serve
    from tradebot.runtime.metrics import reporting_to

    metrics = EngineMetrics()
    try:
        server = serve(metrics.registry, port)
    except OSError as exc:
        raise ConfigError(
            f"cannot serve metrics on 127.0.0.1:{port}: {exc.strerror or exc}",
            "choose a free port with --metrics-port",
        ) from exc
    console.print(f"metrics: http://127.0.0.1:{server.port}/metrics", soft_wrap=True)
    try:
        with reporting_to(metrics):
            yield server
    finally:
        server.close()


@contextmanager
def operating(metrics_port: int | None) -> Iterator[None]:
    """What a long-running session has besides its run: metrics on ``metrics_port`` (when
    given) and notifications as the settings say (``runtime.notify.process``)."""
    from tradebot.cli.app import settings_of
    from tradebot.runtime.notify.process import notifying

    with serving_metrics(metrics_port), notifying(settings_of()):
        yield
