""":class:`OffloadedRoute`: a route whose plain ``def`` endpoint runs in the thread pool
once per request, its answer serialised back on the event loop.

FastAPI runs a ``def`` endpoint in the thread pool and then, for such an endpoint, checks
and serialises its answer in the thread pool a second time; under load the two hops (each
a thread hand-over under the GIL) cost about as much as a read itself. Wrapped in an
``async def`` that awaits the one hop, the endpoint keeps its signature (FastAPI reads the
original's through ``__wrapped__``) and the database work stays off the loop.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

__all__ = ["OffloadedRoute", "offloaded"]


def offloaded(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as a coroutine function running it in the thread pool (a coroutine
    function is returned as it is)."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


class OffloadedRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, offloaded(endpoint), **kwargs)
