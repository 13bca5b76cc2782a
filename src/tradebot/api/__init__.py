"""The HTTP API (FastAPI): every route of the seeds, ``/ws`` push, passkey login. See
README.md for the route table and the invariants."""

from __future__ import annotations

from tradebot.api.app import create_app

__all__ = ["create_app"]
