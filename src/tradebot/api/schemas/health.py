"""Shapes of the public probes ``/health`` and ``/ready``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["HealthOut", "ReadyChecks", "ReadyOut"]


class HealthOut(BaseModel):
    """The process answers (liveness)."""

    model_config = ConfigDict(frozen=True)

    status: Literal["ok"] = "ok"


class ReadyChecks(BaseModel):
    """Each readiness check: True passed, False failed, None not asked of this server."""

    model_config = ConfigDict(frozen=True)

    store: bool
    loop: bool | None = None
    reconciled: bool | None = None
    feed: bool | None = None


class ReadyOut(BaseModel):
    """Ready (200) or not (503), with one line per failed check."""

    model_config = ConfigDict(frozen=True)

    ready: bool
    reasons: list[str] = Field(default_factory=list)
    checks: ReadyChecks
    services: dict[str, str] = Field(
        default_factory=dict,
        description="Each outside service's circuit breaker: closed, half_open or open.",
    )
