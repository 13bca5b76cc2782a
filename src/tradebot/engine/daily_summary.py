"""The daily summary: the account's day in one message, for notifications (seed 16.1: a
daily performance summary at a configurable time, 16:30 by default).

The risk stage publishes one :class:`DailySummary` on :data:`DAILY_SUMMARIES` at that time
on each session day, when its setup asks for it (a live or paper session does; a backtest
does not, unless asked). Nothing trades on it: it reads the ledger and the risk state and
changes neither, so a run decides the same with or without it. A notifier subscribes to the
topic and formats it; the stage does not know who listens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from tradebot.risk import RiskState, StaticPortfolio
from tradebot.risk.calendar import local_day

__all__ = ["DAILY_SUMMARIES", "SUMMARY_TIME", "DailySummary", "daily_summary"]

DAILY_SUMMARIES = "risk.daily_summary"
"""The topic the risk stage publishes each :class:`DailySummary` on."""
SUMMARY_TIME = time(16, 30)
"""The seed's default time of the summary, New York (half an hour after the close)."""


@dataclass(frozen=True, slots=True)
class DailySummary:
    run_id: str
    day: date
    """The New York date summarised."""
    ts: datetime
    """When the summary was made (UTC)."""
    equity: Decimal
    cash: Decimal
    day_pnl: Decimal | None
    """Equity now against the equity the day started from (``None``: the engine has not
    seen this day start yet)."""
    positions: tuple[str, ...]
    """Symbols held, sorted."""
    trades_closed: int
    """Round trips closed on this day."""
    realized_pnl: Decimal
    """Their profit and loss."""
    tier: str
    reserve: Decimal
    breakers: tuple[str, ...]
    """Kinds of the global circuit breakers active now."""


def daily_summary(
    run_id: str, portfolio: StaticPortfolio, state: RiskState, ts: datetime
) -> DailySummary:
    """The summary of ``ts``'s New York day from the ledger's view and the risk state."""
    day = local_day(ts)
    breakers = state.breakers
    start = breakers.day_start_equity if breakers.day == day else None
    today = [t for t in state.performance.trades if local_day(t.closed_at) == day]
    return DailySummary(
        run_id=run_id,
        day=day,
        ts=ts,
        equity=portfolio.equity,
        cash=portfolio.cash,
        day_pnl=None if start is None else portfolio.equity - start,
        positions=tuple(sorted(portfolio.positions)),
        trades_closed=len(today),
        realized_pnl=sum((t.pnl for t in today), Decimal(0)),
        tier=state.tier.value,
        reserve=state.reserve.balance,
        breakers=tuple(t.kind.value for t in breakers.global_trips(ts)),
    )
