"""ConfigService — STUB, to be written (helper B). Audited configuration changes."""

from __future__ import annotations

from sqlalchemy import Engine

from tradebot.config import Settings

__all__ = ["ConfigService"]


class ConfigService:
    def __init__(self, db: Engine, base: Settings) -> None:
        self._db = db
        self._base = base

    def effective(self) -> Settings:
        return self._base
