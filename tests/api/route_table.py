"""The app's route table as the tests walk it: every API route (those of included routers
too) with its methods, and the dependency callables under each."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

__all__ = ["dependency_calls", "routes"]


def dependency_calls(call: Any) -> set[Any]:
    """Every dependency callable under ``call``'s dependant, recursively."""
    found: set[Any] = set()
    stack = [call]
    while stack:
        dependant = stack.pop()
        for sub in dependant.dependencies:
            found.add(sub.call)
            stack.append(sub)
    return found


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    """The API routes of a route list, those of included routers too (FastAPI 0.165 keeps
    an included router as one entry holding the router; its routes carry their prefix,
    as the app includes every router without one of its own)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_api_routes(route.original_router.routes))
    return found


def routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    return [
        (method, route.path, route)
        for route in _api_routes(app.routes)
        for method in sorted(route.methods or ())
        if method != "HEAD"
    ]
