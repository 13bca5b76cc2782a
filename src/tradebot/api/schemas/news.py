"""Scored news: one item per article, ticker and model."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tradebot.api.schemas.values import Out, RunPaging, Symbol, Text, UtcTime

__all__ = ["NewsItemOut", "NewsQuery"]


class NewsQuery(RunPaging):
    ticker: Symbol | None = None
    source: Text | None = None
    min_score: float | None = Field(default=None, ge=-1.0, le=1.0, allow_inf_nan=False)
    max_score: float | None = Field(default=None, ge=-1.0, le=1.0, allow_inf_nan=False)
    start: UtcTime | None = Field(default=None, description="Published at or after.")
    end: UtcTime | None = Field(default=None, description="Published at or before.")


class NewsItemOut(Out):
    id: int
    article_id: int
    content_hash: str
    ticker: str
    score: float
    confidence: float
    model: str
    entities: list[str]
    source: str
    url: str
    title: str
    body: str = Field(description="The first 2,000 characters.")
    published_at: datetime
    symbols_hint: list[str]
