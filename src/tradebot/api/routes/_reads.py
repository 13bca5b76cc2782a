"""What the read routes share: the error responses they declare in OpenAPI (the app's own
handler answers a :class:`~tradebot.service.queries.NotFoundError` as 404), and the copy of
a query into a service filter."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from pydantic import BaseModel

from tradebot.api.schemas.common import Problem

__all__ = ["NOT_SIGNED_IN", "READ_ERRORS", "filter_of"]

F = TypeVar("F")

NOT_SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token."},
    503: {"model": Problem, "description": "The database cannot be reached."},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_SIGNED_IN,
    404: {"model": Problem, "description": "No such run (or item in it)."},
}


def filter_of(cls: type[F], query: BaseModel) -> F:
    """The service filter ``cls`` (a dataclass) from the same-named fields of ``query``."""
    return cls(**{f.name: getattr(query, f.name) for f in fields(cls)})  # type: ignore[arg-type]
