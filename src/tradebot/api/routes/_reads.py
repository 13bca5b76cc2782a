"""What the read routes share: a 404 ``{"detail", "hint"}`` for what is not in the store,
the error responses they declare in OpenAPI, and the copy of a query into a service filter.

:class:`ReadRoute` answers a :class:`~tradebot.service.queries.NotFoundError` as 404 for
the routers that use it (the app's own handler answers other service errors as 400).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import fields
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tradebot.api.routing import OffloadedRoute
from tradebot.api.schemas.common import Problem
from tradebot.service.queries import NotFoundError

__all__ = ["NOT_SIGNED_IN", "READ_ERRORS", "ReadRoute", "filter_of"]

F = TypeVar("F")

NOT_SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "No valid access token."},
    503: {"model": Problem, "description": "The database cannot be reached."},
}
READ_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_SIGNED_IN,
    404: {"model": Problem, "description": "No such run (or item in it)."},
}


class ReadRoute(OffloadedRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFoundError as exc:
                body = {"detail": exc.message, "hint": exc.hint or None}
                return JSONResponse(body, status_code=404)

        return answer


def filter_of(cls: type[F], query: BaseModel) -> F:
    """The service filter ``cls`` (a dataclass) from the same-named fields of ``query``."""
    return cls(**{f.name: getattr(query, f.name) for f in fields(cls)})  # type: ignore[arg-type]
