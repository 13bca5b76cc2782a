"""When to ask the venue about an order whose submit outcome was lost.

A submit that timed out (or met a 5xx or a 429) may or may not have reached the venue, so
the order is ``UNKNOWN`` (:func:`tradebot.domain.order_state.outcome_lost`), never
rejected, and never sent again on a guess: a second submit could double the position. The
order manager asks the venue by client order id instead, at growing intervals — the first
lookup :attr:`LookupSchedule.first` after the lost submit, each next one ``factor`` times
later than the one before, never more than :attr:`LookupSchedule.cap` apart — and applies
whatever the venue answers as reports. If the order is still ``UNKNOWN`` after
:attr:`LookupSchedule.tries` lookups (the venue does not know it, or cannot be reached),
it is escalated: reported to a human as "order unknown" and left alone. Nothing here
resubmits.

Pure: attempt numbers in, ``timedelta`` (or a due time computed from a time given) out; the
caller's clock schedules the timers, nothing sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tradebot.domain.errors import ConfigError

__all__ = ["LookupSchedule"]

_MAX_TRIES = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class LookupSchedule:
    """Exponential backoff for the lookups of an order in ``UNKNOWN``, capped, with a
    maximum number of tries. The defaults ask after 0.5, 1, 2, 4, 8, 16, 30 and 30 seconds
    (about 1.5 minutes in all), then escalate."""

    first: timedelta = timedelta(milliseconds=500)
    """Delay from the lost submit to the first lookup."""
    factor: float = 2.0
    """Each delay is this many times the one before (until the cap)."""
    cap: timedelta = timedelta(seconds=30)
    """The longest delay between two lookups."""
    tries: int = 8
    """Lookups made before the order is escalated as unknown."""

    def __post_init__(self) -> None:
        if self.first <= timedelta(0):
            raise ConfigError(f"lookup delay {self.first} must be > 0", "give a positive first")
        if not 1.0 <= self.factor < float("inf"):
            raise ConfigError(f"lookup backoff factor {self.factor}", "give a number >= 1")
        if self.cap < self.first:
            raise ConfigError(f"lookup cap {self.cap} < first {self.first}", "give cap >= first")
        if not 1 <= self.tries <= _MAX_TRIES:
            raise ConfigError(f"lookup tries {self.tries}", f"give 1..{_MAX_TRIES} tries")

    def delay(self, attempt: int) -> timedelta | None:
        """How long after the previous attempt lookup number ``attempt`` (1, 2, ...) is due —
        the lost submit being attempt 0 — or ``None`` past the last try: escalate."""
        if attempt < 1:
            raise ValueError(f"lookup attempts count from 1, not {attempt}")
        if attempt > self.tries:
            return None
        return self._each(attempt)[-1]

    def delays(self) -> tuple[timedelta, ...]:
        """Every delay in turn, one per try."""
        return tuple(self._each())

    def due(self, lost_at: datetime, attempt: int) -> datetime | None:
        """When lookup ``attempt`` is due for an order whose submit was lost at
        ``lost_at``; ``None`` past the last try."""
        if attempt < 1:
            raise ValueError(f"lookup attempts count from 1, not {attempt}")
        if attempt > self.tries:
            return None
        return lost_at + sum(self._each(attempt), timedelta(0))

    def escalate(self, lookups_made: int) -> bool:
        """Whether an order still unknown after ``lookups_made`` lookups goes to a human."""
        return lookups_made >= self.tries

    @property
    def total(self) -> timedelta:
        """Time from the lost submit to the last lookup."""
        return sum(self._each(), timedelta(0))

    def _each(self, count: int | None = None) -> list[timedelta]:
        """The first ``count`` delays (all of them by default), without recomputing each."""
        out: list[timedelta] = []
        wait = self.first
        for _ in range(self.tries if count is None else count):
            out.append(wait)
            wait = min(wait * self.factor, self.cap)
        return out
