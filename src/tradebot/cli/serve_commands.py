"""``tradebot serve``: the HTTP API (and, unless ``--engine none``, the engine it hosts).

Bound to 127.0.0.1 unless told otherwise (one warning line when it listens elsewhere
without an https public origin: passkeys and cookies then travel in clear). Forwarded
headers are believed only from ``api.trusted_proxies``. On a first start with no user it
prints a one-time setup code on the console — never in a log — to register the first
user with. Ctrl-C (or SIGTERM) stops it cleanly with exit code 0.

FastAPI and uvicorn are imported when the command runs: without the ``api`` extra it is
one line saying what to install.
"""

from __future__ import annotations

import signal
from enum import StrEnum
from types import FrameType
from typing import Annotated

import typer

from tradebot.cli.app import STATE, app, override_settings, settings_of
from tradebot.cli.render import console, err_console
from tradebot.config import ApiSettings, Settings
from tradebot.domain.errors import ConfigError

__all__ = ["serve"]

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class EngineChoice(StrEnum):
    replay = "replay"
    paper = "paper"
    live = "live"
    none = "none"


def _settings(host: str | None, port: int | None, engine: EngineChoice | None) -> Settings:
    fields = {"host": host, "port": port, "engine": None if engine is None else engine.value}
    given: dict[str, object] = {k: v for k, v in fields.items() if v is not None}
    default_origin = ApiSettings.model_fields["public_origin"].default
    if port is not None and settings_of().api.public_origin == default_origin:
        given["public_origin"] = f"http://localhost:{port}"  # the default origin follows
    return override_settings(api=given) if given else settings_of()


def url_of(api: ApiSettings) -> str:
    host = f"[{api.host}]" if ":" in api.host else api.host
    return f"http://{host}:{api.port}"


def exposure_warning(api: ApiSettings) -> str | None:
    """One line when the server listens beyond this machine without https."""
    if api.host in LOOPBACK or api.public_origin.startswith("https://"):
        return None
    return (
        f"listening on {api.host} without an https public origin: sign-ins and cookies "
        "cross the network in clear (put it behind TLS and set api.public_origin)"
    )


def trusted_proxies(api: ApiSettings) -> str | None:
    """uvicorn's ``forwarded_allow_ips``; its ``proxy_headers`` is on only with them. Left to
    itself uvicorn believes ``X-Forwarded-For`` from 127.0.0.1 — the default bind address —
    so any local caller could pick the client address the auth rate limit keys on, and
    rotate it past the limit."""
    return ",".join(api.trusted_proxies) if api.trusted_proxies else None


def _ignore(signum: int, frame: FrameType | None) -> None:
    """uvicorn re-raises the signal that stopped it; a clean stop is not an error here."""


@app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default api.host, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port (default api.port, 8000).")
    ] = None,
    engine: Annotated[
        EngineChoice | None,
        typer.Option(help="The engine to host: replay, paper, live or none (default api.engine)."),
    ] = None,
) -> None:
    """Serve the HTTP API (passkey login, REST, WebSocket) until Ctrl-C."""
    try:
        import uvicorn

        from tradebot.api.server import build_app, setup_code
    except ImportError as exc:
        raise ConfigError(
            f"tradebot serve needs {exc.name or 'the API packages'}, which is not installed",
            "pip install 'tradebot[api]'",
        ) from exc
    settings = _settings(host, port, engine)
    api = settings.api
    warning = exposure_warning(api)
    if warning:
        err_console.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    web = build_app(settings, start_engine=api.engine != "none")
    code = setup_code(web)
    console.print(f"tradebot API on {url_of(api)} (engine: {api.engine})", highlight=False)
    if api.public_origin.rstrip("/") != url_of(api):
        console.print(f"browsers use {api.public_origin}", highlight=False)
    if code is not None:
        console.print(
            f"no user yet: register the first one with the setup code {code.code} "
            f"(one use, valid until {code.expires_at:%Y-%m-%d %H:%M} UTC)",
            highlight=False,
            soft_wrap=True,
        )
    server = uvicorn.Server(
        uvicorn.Config(
            web,
            host=api.host,
            port=api.port,
            log_level="debug" if STATE.debug else "warning",
            access_log=STATE.debug,
            lifespan="on",
            proxy_headers=bool(api.trusted_proxies),
            forwarded_allow_ips=trusted_proxies(api),
        )
    )
    previous = {sig: signal.signal(sig, _ignore) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not server.started:
        raise ConfigError(
            f"the API did not start on {url_of(api)} (see the lines above)",
            "a port in use? pick another with --port",
        )
    console.print("stopped")
