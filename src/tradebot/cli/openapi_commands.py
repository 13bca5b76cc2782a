"""``tradebot openapi [--out PATH]``: the API's OpenAPI document, without a server.

The dashboard's build generates its TypeScript types from this document (``tradebot openapi
--out dashboard/src/api/openapi.json``, then openapi-typescript), so the UI cannot drift
from the API. The app is built exactly as ``tradebot serve`` builds it (``build_app``) but
hosts no engine, sits on a throwaway SQLite file in a temporary folder (the configured
database is never opened, let alone migrated) and signs with a throwaway secret (none need
be configured). The JSON has sorted keys and a two-space indent, so the same API gives the
same bytes and a diff of the file shows what changed. Stdout carries the document and
nothing else; logs go to stderr.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from tradebot.cli.app import STATE, app
from tradebot.cli.outputs import check_output_file
from tradebot.config import load_settings
from tradebot.domain.errors import ConfigError
from tradebot.ops.logging import configure_logging

__all__ = ["openapi", "openapi_document"]


def openapi_document() -> dict[str, Any]:
    """The document ``tradebot serve`` publishes at ``/openapi.json``."""
    try:
        from tradebot.api.server import build_app
    except ImportError as exc:
        raise ConfigError(
            f"tradebot openapi needs {exc.name or 'the API packages'}, which is not installed",
            "pip install 'tradebot[api]'",
        ) from exc
    with tempfile.TemporaryDirectory(prefix="tradebot-openapi-") as folder:
        settings = load_settings(
            STATE.config_file,
            store={"url": f"sqlite:///{Path(folder) / 'openapi.db'}"},
            api={"engine": "none", "resume": False, "jwt_secret": secrets.token_urlsafe(48)},
        )
        configure_logging("DEBUG" if STATE.debug else "WARNING", settings.log.json_output)
        web = build_app(settings, start_engine=False)
        try:
            document: dict[str, Any] = web.openapi()
        finally:
            web.state.services.close()
    return document


@app.command("openapi")
def openapi(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the document here (default: standard output)."),
    ] = None,
) -> None:
    """Write the API's OpenAPI document (JSON, sorted keys) without starting a server."""
    check_output_file("--out", out)
    text = json.dumps(openapi_document(), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    out.write_text(text, encoding="utf-8")
