"""Pipeline topic names (DESIGN.md §2). One constant per topic, used by every bus."""

from __future__ import annotations

from typing import Final

__all__ = [
    "COMMANDS",
    "COMMAND_OUTCOMES",
    "DECISIONS",
    "EXECUTION_REPORTS",
    "FILLS",
    "MARKET_BARS",
    "NEWS_RAW",
    "NEWS_SCORED",
    "ORDERS",
    "RECONCILIATIONS",
    "RISK_EVENTS",
    "SIGNALS",
    "TRADES_CLOSED",
]

MARKET_BARS: Final = "market.bars"
NEWS_RAW: Final = "news.raw"
NEWS_SCORED: Final = "news.scored"
SIGNALS: Final = "signals"
DECISIONS: Final = "decisions"
ORDERS: Final = "orders"
FILLS: Final = "fills"
EXECUTION_REPORTS: Final = "execution.reports"
"""What a live venue says of our orders (its stream, through the kernel's inbox)."""
TRADES_CLOSED: Final = "trades.closed"
COMMANDS: Final = "commands"
"""Operator commands (pause, resume, kill, flatten, close a position, set tier), queued
into the kernel's event stream by whoever received them (the command poller, the API)."""
COMMAND_OUTCOMES: Final = "commands.outcomes"
"""What became of each command: applied or refused, and why."""
RISK_EVENTS: Final = "risk.events"
"""What the risk engine reported besides its decisions (breaker trips and resumes, tier
changes, notices such as an emergency liquidation): one tuple of
:data:`~tradebot.risk.events.RiskEvent` per engine call that had any, after they are stored.
Nothing in the kernel listens; notifications and metrics do."""
RECONCILIATIONS: Final = "reconciliations"
"""Each reconciliation of a live book with its venue (``engine.reconcile.Reconciliation``),
at the start and at every interval, published by the session that ran it."""
