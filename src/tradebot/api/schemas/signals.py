"""Signals: what the ensemble asked for, with each strategy's signed share."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from tradebot.api.schemas.values import Out, RunPaging, Symbol, UtcTime

__all__ = ["SignalOut", "SignalsQuery"]


class SignalsQuery(RunPaging):
    symbol: Symbol | None = None
    direction: Literal["long", "short", "neutral"] | None = None
    start: UtcTime | None = None
    end: UtcTime | None = None
    min_strength: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)


class SignalOut(Out):
    id: str
    ts: datetime
    symbol: str
    direction: str
    strength: float
    confidence: float
    price: float
    sources: dict[str, float] = Field(description="Each strategy's opinion (strength).")
    contributions: dict[str, float] = Field(description="Each strategy's signed share.")
