"""NotificationService — STUB, to be written (helper B)."""

from __future__ import annotations

from sqlalchemy import Engine

from tradebot.service.config_changes import ConfigService

__all__ = ["NotificationService"]


class NotificationService:
    def __init__(self, db: Engine, config: ConfigService) -> None:
        self._db = db
        self._config = config
