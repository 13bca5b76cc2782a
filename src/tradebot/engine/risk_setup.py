"""What the kernel needs to make the risk engine its decision stage (a
:class:`~tradebot.engine.risk_stage.RiskStage`): the engine, its sessions, and the stage's
options that the composition root chooses per mode."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from tradebot.risk import RiskEngine, SessionCalendar

__all__ = ["RiskSetup"]


@dataclass(frozen=True, slots=True)
class RiskSetup:
    """``calendar`` is the session table the engine was built with (it says when a session
    ends)."""

    engine: RiskEngine
    calendar: SessionCalendar | None = None
    atr_period: int = 14
    review_every: timedelta | None = None
    """The seed's stop re-evaluation interval: a review at least this often while a
    position is held and its market trades, bar or not (``None``: at each bar time only;
    minute bars are reviewed every minute)."""
    summary: time | None = None
    """New York time of the daily summary (``None``: none; the runtime asks for
    ``notifications.daily_summary_at`` (the seed's 16:30) in paper and live
    sessions, where someone reads it)."""
    micro_strategies: frozenset[str] = field(default_factory=frozenset)
    """The strategies that trade micro (seed 17): a signal whose every source is one of
    them is a micro-trade (its own caps, stops, daily count and maximum hold; micro-trading
    must be enabled in the engine's config). Empty: no signal is."""
