"""What identifies one run of the kernel (a backtest, a paper replay, a live session)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from tradebot.domain.enums import Mode, Timeframe
from tradebot.domain.messages import Message, UtcDatetime

__all__ = ["RunInfo", "RunStatus"]

RunStatus = str  # "running" | "completed" | "failed" | "stopped"


class RunInfo(Message):
    """Recorded when a run starts; ``finish_run`` adds status and metrics at the end."""

    id: str
    mode: Mode
    started_at: UtcDatetime
    strategy: str
    symbols: tuple[str, ...]
    timeframe: Timeframe
    data_start: datetime | None = None
    data_end: datetime | None = None
    config: dict[str, Any] = Field(default_factory=dict)
