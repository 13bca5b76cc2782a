"""Shapes every list route shares: a page of items with the total and the paging asked."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict

__all__ = ["Limit", "Offset", "Page", "Problem"]

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")]


class Page(BaseModel, Generic[T]):
    """One page of a list, newest first unless the route says otherwise."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int
    limit: int
    offset: int


class Problem(BaseModel):
    """Every error response: one line saying what is wrong, and how to fix it when known."""

    detail: str
    hint: str | None = None
