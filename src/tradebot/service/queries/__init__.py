"""Queries — STUB, to be written (helper B). The read side of every view."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

__all__ = ["Queries"]


class Queries:
    def __init__(self, db: Engine, current_run: Callable[[], str | None]) -> None:
        self._db = db
        self._current_run = current_run
