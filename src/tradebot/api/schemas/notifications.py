"""Notification settings (the audited ``notifications`` section) and history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tradebot.api.schemas.config import ConfigChangeOut
from tradebot.api.schemas.values import Code, Money, Out, RunId, UtcTime

__all__ = [
    "NotificationOut",
    "NotificationSettingsIn",
    "NotificationSettingsOut",
    "NotificationSettingsUpdateOut",
    "NotificationsQuery",
]

Channel = Literal["log", "telegram", "email"]
Severity = Literal["info", "warning", "critical"]


class NotificationSettingsOut(Out):
    enabled: bool
    channels: list[str]
    min_severity: str
    telegram_per_hour: int
    email_per_hour: int
    daily_summary_at: str | None = Field(description="New York time HH:MM; null: off.")
    weekly_digest: bool
    large_trade_pnl: Money


class NotificationSettingsIn(BaseModel):
    """The settings to change (those left out stay); validated and audited like every
    configuration change."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    channels: list[Channel] | None = Field(default=None, max_length=3)
    min_severity: Severity | None = None
    telegram_per_hour: int | None = None
    email_per_hour: int | None = None
    daily_summary_at: str | None = Field(default=None, max_length=5)
    weekly_digest: bool | None = None
    large_trade_pnl: Decimal | None = Field(default=None, allow_inf_nan=False)
    reason: str | None = Field(default=None, max_length=500)


class NotificationSettingsUpdateOut(Out):
    settings: NotificationSettingsOut
    changes: list[ConfigChangeOut]


class NotificationsQuery(BaseModel):
    channel: Code | None = None
    event: Code | None = None
    status: Code | None = Field(default=None, description="sent, failed, rate_limited, pending")
    run_id: RunId | None = Field(default=None, description="Only this run's.")
    start: UtcTime | None = None
    end: UtcTime | None = None
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=10_000_000)


class NotificationOut(Out):
    id: int
    ts: datetime
    channel: str
    event: str
    severity: str
    title: str
    body: str
    status: str
    error: str | None
    run_id: str | None
    attempts: int = Field(description="Sends tried (0: rate-limited or not yet tried).")
    delivered_at: datetime | None
    correlation_id: str | None = Field(description="The decision id it stems from, if any.")
