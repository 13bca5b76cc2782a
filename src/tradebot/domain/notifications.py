"""What the bot tells its owner: one :class:`Notification`, the channels' only input.

A notification is made from something the engine did or saw (a breaker tripped, the tier
changed, an order whose outcome is unknown, the day's summary...) by ``tradebot.ops.notify``
and handed to every enabled channel (log, Telegram, e-mail). It carries everything a
channel needs to render it — plain text always, HTML and one PNG image when there is more
to show — so a channel never reads the engine's state.

``correlation_id`` is the decision id the notification stems from, when there is one: the
same id is on the decision's orders and fills in the logs, so the three can be joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "DeliveryError",
    "DeliveryStatus",
    "Image",
    "Notification",
    "NotificationEvent",
    "Severity",
]


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0, 1, 2: compare severities (``min_severity`` filters on it)."""
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class NotificationEvent(StrEnum):
    """What happened (seed 02 task 16's event types, and the operations events of 05)."""

    BREAKER_TRIGGERED = "circuit_breaker_triggered"
    BREAKER_RESUMED = "circuit_breaker_resumed"
    TIER_CHANGED = "risk_tier_changed"
    EMERGENCY_LIQUIDATION = "emergency_liquidation"
    LARGE_TRADE_PNL = "large_trade_pnl"
    KILL_SWITCH = "kill_switch"
    RECONCILIATION_MISMATCH = "reconciliation_mismatch"
    ORDER_UNKNOWN = "order_unknown"
    FEED_STALE = "feed_stale"
    FEED_RESTORED = "feed_restored"
    ERROR_BURST = "error_burst"
    DAILY_SUMMARY = "daily_summary"
    WEEKLY_DIGEST = "weekly_digest"
    TEST = "test"


class DeliveryStatus(StrEnum):
    """What became of one notification on one channel (the ``notifications`` table)."""

    PENDING = "pending"
    """Handed to the channel's worker, not yet answered."""
    SENT = "sent"
    FAILED = "failed"
    """Every retry failed; delivered later when the channel comes back (then ``sent``)."""
    RATE_LIMITED = "rate_limited"
    """Over the channel's hourly limit: recorded, never sent (property 30)."""
    FILTERED = "filtered"
    """Below the channel's minimum severity (not recorded; listed for completeness)."""


@dataclass(frozen=True, slots=True)
class Image:
    """One PNG to attach (an equity sparkline): bytes and the text that stands for it."""

    png: bytes
    alt: str
    filename: str = "equity.png"


@dataclass(frozen=True, slots=True)
class Notification:
    event: NotificationEvent
    severity: Severity
    title: str
    """One line, no markup."""
    body: str
    """Plain text, newlines allowed, no markup (a channel escapes what it must)."""
    ts: datetime
    """When it happened (UTC), on the run's clock."""
    run_id: str | None = None
    correlation_id: str | None = None
    """The decision id it stems from, when there is one."""
    html: str | None = None
    """A richer body for channels that render HTML (e-mail); already escaped."""
    image: Image | None = None


class DeliveryError(Exception):
    """A channel could not deliver: one line in ``reason``. ``retry_after`` (seconds) when
    the service said when to come back (Telegram's 429); ``permanent`` when retrying cannot
    help (a bad token, an unknown chat, a refused recipient)."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent
