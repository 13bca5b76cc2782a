"""The application service facade: what every front end (the HTTP API, the CLI, later the
notifiers) calls, so a route or a command stays a few lines. See README.md."""

from __future__ import annotations

from tradebot.service.container import Services

__all__ = ["Services"]
