"""A circuit breaker around one outside service (a venue's REST API, Telegram, SMTP...).

Not the risk engine's trading breakers (``tradebot.risk.breakers``): this one protects the
bot from a service that is down, so a dead endpoint is not called (and waited on) again and
again. The usual three states:

- **closed**: calls go through; ``failure_threshold`` failures in a row open it;
- **open**: calls are refused at once (:meth:`allow` is False) for ``recovery_s`` seconds;
- **half-open**: after that, one trial call is let through; its success closes the
  breaker, its failure opens it again for another ``recovery_s``. A trial that has not
  reported within ``recovery_s`` is presumed lost (its call hangs, or its thread was
  abandoned, as the reconciler abandons a question the venue does not answer) and the next
  caller gets the trial: without that, one hung call would keep the breaker refusing for
  ever.

Time is injected (``now``: monotonic seconds), so the state machine is pure and tested with
hypothesis; thread-safe, since a service may be called from more than one thread. A
listener hears every change of state (metrics, logs, ``/ready``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from enum import StrEnum

__all__ = ["CircuitBreaker", "CircuitState"]


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def code(self) -> int:
        """0 closed, 1 half-open, 2 open (the metrics gauge's value)."""
        return {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}[self]


Listener = Callable[[str, CircuitState], None]
"""Called with the service name and the new state, outside the breaker's lock."""


class CircuitBreaker:
    """See the module docstring."""

    def __init__(
        self,
        service: str,
        *,
        now: Callable[[], float],
        failure_threshold: int = 5,
        recovery_s: float = 60.0,
        listener: Listener | None = None,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if recovery_s <= 0:
            raise ValueError("recovery_s must be positive")
        self.service = service
        self._now = now
        self._threshold = failure_threshold
        self._recovery_s = recovery_s
        self._listener = listener
        self._lock = threading.Lock()
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_out = False
        self._trial_at = 0.0
        self.last_error: str | None = None

    @property
    def state(self) -> CircuitState:
        """The state now (an open breaker past its recovery time reads half-open)."""
        with self._lock:
            if self._state is CircuitState.OPEN and self._recovered():
                return CircuitState.HALF_OPEN
            return self._state

    @property
    def failures(self) -> int:
        """Failures in a row so far."""
        with self._lock:
            return self._failures

    def allow(self) -> bool:
        """Whether a call may go out now. In half-open, only one trial at a time (one
        outstanding for ``recovery_s`` is presumed lost: see the module docstring)."""
        changed: CircuitState | None = None
        with self._lock:
            if self._state is CircuitState.CLOSED:
                return True
            now = self._now()
            if self._state is CircuitState.OPEN:
                if now - self._opened_at < self._recovery_s:
                    return False
                self._state = changed = CircuitState.HALF_OPEN
                self._trial_out = False
            if self._trial_out and now - self._trial_at < self._recovery_s:
                allowed = False
            else:
                self._trial_out = allowed = True
                self._trial_at = now
        self._tell(changed)
        return allowed

    def succeeded(self) -> None:
        """The call went well: closed, count reset."""
        changed: CircuitState | None = None
        with self._lock:
            self._failures = 0
            self._trial_out = False
            self.last_error = None
            if self._state is not CircuitState.CLOSED:
                self._state = changed = CircuitState.CLOSED
        self._tell(changed)

    def failed(self, error: str = "") -> None:
        """The call failed: one more in a row; open at the threshold (at once in half-open)."""
        changed: CircuitState | None = None
        with self._lock:
            self._failures += 1
            self._trial_out = False
            self.last_error = error or self.last_error
            trips = self._state is CircuitState.HALF_OPEN or self._failures >= self._threshold
            if trips:
                if self._state is not CircuitState.OPEN:
                    changed = CircuitState.OPEN
                self._state = CircuitState.OPEN
                self._opened_at = self._now()
        self._tell(changed)

    def seconds_to_trial(self) -> float:
        """Seconds until an open breaker lets a trial through (0 when it would now)."""
        with self._lock:
            if self._state is not CircuitState.OPEN:
                return 0.0
            return max(0.0, self._opened_at + self._recovery_s - self._now())

    def _recovered(self) -> bool:
        return self._now() - self._opened_at >= self._recovery_s

    def _tell(self, state: CircuitState | None) -> None:
        if state is not None and self._listener is not None:
            self._listener(self.service, state)
