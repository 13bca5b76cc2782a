"""The configuration (seed 02): the settings in effect (secrets masked), an audited update
by dotted paths, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tradebot.api.schemas.values import Out

__all__ = ["AuditQuery", "ConfigChangeOut", "ConfigOut", "ConfigUpdateIn", "ConfigUpdateOut"]

_Path = Annotated[str, StringConstraints(max_length=200)]


class ConfigOut(Out):
    settings: dict[str, Any] = Field(description="Every section; secrets as '**********'.")


class ConfigUpdateIn(BaseModel):
    """Settings to change, by dotted path, all validated together; changes under risk,
    api or broker need a fresh passkey assertion."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"changes": {"risk.max_open_positions": 5}, "reason": "fewer positions"}]
        },
    )

    changes: dict[_Path, Any] = Field(min_length=1, max_length=100)
    reason: str | None = Field(default=None, max_length=500)


class ConfigChangeOut(Out):
    id: int
    ts: datetime
    path: str
    previous: Any = Field(description="The value in effect before.")
    new: Any = Field(description="The value in effect after.")
    actor: str
    source: str
    reason: str | None


class ConfigUpdateOut(Out):
    changes: list[ConfigChangeOut] = Field(description="The changes made (none if no value moved).")


class AuditQuery(BaseModel):
    path_prefix: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f%_\\]+$"
    )
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)
