"""The micro-trading panel (seed 17.1): the mode's caps from the settings in effect, and
how much of them the run shown has used.

The caps are ``risk.rules.micro`` (with the reference stage micro trading is off, whatever
they say). The use comes from the hosted engine's view when the run shown is the one it
drives (micro entries made on its New York day, micro positions open); for any other run
the open micro positions come from what it saved (:mod:`.queries.portfolio`) and the
day's count is unknown (None): only the kernel knows which day it is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tradebot.config import Settings
from tradebot.service.engine_status import KernelView

__all__ = ["MicroStatus", "micro_status"]


@dataclass(frozen=True, slots=True)
class MicroStatus:
    enabled: bool
    max_daily: int
    used_today: int | None
    """Micro entries made today (None: no hosted engine drives the run shown)."""
    allocation_cap_pct: Decimal
    """The most one micro trade may take, as a fraction of the active pool (0.03 = 3 %)."""
    max_hold_minutes: float
    open_micro_positions: int


def micro_status(
    settings: Settings, view: KernelView | None, stored_open: Callable[[], int]
) -> MicroStatus:
    """The panel for the settings in effect; ``view``: the hosted engine's, when it drives
    the run shown (else None); ``stored_open`` counts the run's saved micro positions (it
    is called only without a view that knows)."""
    rules = settings.risk.risk_config().micro
    used = None if view is None else view.micro_used_today
    live_open = None if view is None else view.micro_open
    return MicroStatus(
        enabled=rules.enabled and settings.risk.engine == "autonomous",
        max_daily=rules.max_daily,
        used_today=used,
        allocation_cap_pct=rules.allocation_cap_pct,
        max_hold_minutes=rules.max_hold.total_seconds() / 60,
        open_micro_positions=stored_open() if live_open is None else live_open,
    )
