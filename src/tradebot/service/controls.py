"""Controls — STUB, to be written (helper C). Operator commands for the CLI and the API."""

from __future__ import annotations

from sqlalchemy import Engine

from tradebot.service.engine_host import EngineHost

__all__ = ["Controls"]


class Controls:
    def __init__(self, db: Engine, url: str, host: EngineHost) -> None:
        self._db = db
        self._url = url
        self._host = host
