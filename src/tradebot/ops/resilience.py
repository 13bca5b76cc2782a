"""Retries for idempotent reads, and a circuit breaker per outside service.

An outside service (a venue's REST API, Telegram, an SMTP server) fails in two ways that
call for different answers: a blip (a 503, a dropped connection), which a read survives by
asking again a moment later, and an outage, where asking again only makes every caller wait
on a dead endpoint. :func:`retry_read` answers the first, a :class:`ServiceBoard` of
:class:`~tradebot.ops.circuit.CircuitBreaker` the second, and :func:`guarded_read` both.

**Reads only.** A retry is safe only when asking twice changes nothing. Order submission
and cancellation never go through :func:`retry_read`: a submit whose reply was lost may
have reached the venue, and sending it again could double a position. That case is the
order manager's ("outcome unknown": it asks the venue by client order id on its own
schedule, :mod:`tradebot.engine.lost_replies`). Commands may still report their outcome to
a breaker (:func:`report`), so the breaker knows when the service is down or back.

Exceptions::

    TradebotError
    └── CircuitOpenError   a call refused at once: the service's breaker is open
                           (a caller may ask for its own error type instead: ``refuse``)

What counts against a breaker is the caller's choice (``failure_on``: the errors that mean
"the service did not answer", such as
:class:`~tradebot.domain.errors.TemporaryBrokerError`); any other exception is an answer (a
venue refusing an order is up), and closes a half-open breaker like a success.

Time: no clock is read here. A board's clock comes in as an argument (``now``, monotonic
seconds); the process-wide :data:`SERVICE_BOARD` is made without one and gets it from the
composition root (``SERVICE_BOARD.use_clock(tradebot.adapters.clock.monotonic)``, which
``runtime.venues`` does before it wraps a venue's broker) — the ops layer sits below the
clock adapter. Jitter is random by design (callers that retry together must not retry in
step); :func:`retry_read`'s ``budget_s`` is measured by tenacity.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from tradebot.config import mask_url
from tradebot.domain.errors import TradebotError
from tradebot.ops.circuit import CircuitBreaker, CircuitState
from tradebot.ops.logging import get_logger

__all__ = [
    "SERVICE_BOARD",
    "BoardListener",
    "CircuitOpenError",
    "OpenService",
    "Refusal",
    "ServiceBoard",
    "ServiceHook",
    "error_line",
    "guarded",
    "guarded_read",
    "refusal",
    "report",
    "retry_read",
    "scrub",
]

_T = TypeVar("_T")
_log = get_logger("resilience")

Refusal = Callable[[str, str], BaseException]
"""Makes the error a refused call raises, from a message and a hint (a
:class:`~tradebot.domain.errors.TradebotError` subclass fits)."""
ServiceHook = Callable[[str], None]
"""Told the service's name (``EngineMetrics.outside_error`` / ``outside_retry`` fit)."""
BoardListener = Callable[[str, CircuitState], None]


class CircuitOpenError(TradebotError):
    """A call refused without being made: its service's breaker is open."""


def error_line(exc: BaseException, limit: int = 200) -> str:
    """``exc`` as one short line with no secret in it (a breaker's last error, which the
    public ``/ready`` shows; a log field)."""
    text = exc.one_line() if isinstance(exc, TradebotError) else f"{type(exc).__name__}: {exc}"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    first = scrub(first)
    return first if len(first) <= limit else first[: limit - 1] + "…"


def scrub(text: str) -> str:
    """``text`` with what an HTTP client's error may carry hidden: a URL's password, a
    Telegram bot token (in a Bot API path, ``/bot<id>:<token>/``, or anywhere it stands
    whole), and key, token, secret, signature or password parameters in a query string."""
    text = _BOT_TOKEN.sub("***", mask_url(text))
    return _SECRET_PARAM.sub(r"\1=***", text)


_BOT_TOKEN = re.compile(r"(?<=/bot)\d+:[\w-]+|\b\d{5,}:[A-Za-z0-9_-]{30,}")
_SECRET_PARAM = re.compile(
    r"((?:api[_-]?)?key|token|secret|signature|password|passwd)=[^&\s'\"]+", re.IGNORECASE
)


# --- retries -----------------------------------------------------------------------------


def retry_read(
    call: Callable[[], _T],
    *,
    service: str,
    retry_on: tuple[type[BaseException], ...],
    attempts: int = 3,
    base_s: float = 0.5,
    cap_s: float = 10.0,
    budget_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: ServiceHook | None = None,
) -> _T:
    """``call()``, asked again after an error in ``retry_on``, at most ``attempts`` times in
    all, waiting a random time up to ``base_s``, ``2 × base_s``, ... (capped at ``cap_s``:
    exponential backoff with full jitter) between tries; the last error is raised as it
    is. ``budget_s``: no new try once this many seconds have passed since the first (a
    read that timed out is not asked again). A refusal by an open breaker
    (:class:`CircuitOpenError`) is never retried.

    **Only for idempotent reads**: order submission never goes through here (module
    docstring). ``on_retry(service)`` is told of each retry (the metrics' counter)."""
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    if base_s < 0 or cap_s < 0:
        raise ValueError("base_s and cap_s must be >= 0")
    stop: stop_base = stop_after_attempt(attempts)
    if budget_s is not None:
        stop = stop | stop_after_delay(budget_s)

    def retried(exc: BaseException) -> bool:
        return isinstance(exc, retry_on) and not isinstance(exc, CircuitOpenError)

    def before_sleep(state: RetryCallState) -> None:
        failed = state.outcome.exception() if state.outcome is not None else None
        _log.warning(
            "read failed, asking again",
            service=service,
            attempt=state.attempt_number,
            wait_s=round(state.next_action.sleep, 3) if state.next_action else 0.0,
            error=error_line(failed) if failed is not None else "",
        )
        if on_retry is not None:
            on_retry(service)

    retrying = Retrying(
        stop=stop,
        wait=wait_random_exponential(multiplier=base_s, max=cap_s),
        retry=retry_if_exception(retried),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(call)


# --- breakers ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenService:
    """A service whose breaker is not closed: refused (open) or about to be tried
    (half-open)."""

    service: str
    state: CircuitState
    last_error: str | None
    seconds_to_trial: float

    def line(self) -> str:
        """One line for ``/ready`` and the logs."""
        why = scrub(self.last_error) if self.last_error else "failing"
        if self.state is CircuitState.OPEN:
            wait = f"next trial in {self.seconds_to_trial:.0f} s"
            return f"{self.service} unavailable: {why} (circuit open; {wait})"
        return f"{self.service} unavailable: {why} (circuit half-open; a trial call is due)"


class ServiceBoard:
    """The circuit breakers of one process, one per outside service, each made on first
    use (thread-safe). Listeners hear every change of state of every breaker, made now or
    later (the metrics gauge, logs)."""

    def __init__(
        self,
        *,
        now: Callable[[], float] | None = None,
        failure_threshold: int = 5,
        recovery_s: float = 60.0,
    ) -> None:
        """``now``: monotonic seconds; without it, the board makes no breaker until it is
        given one (:meth:`use_clock`)."""
        if failure_threshold < 1 or recovery_s <= 0:
            raise ValueError("failure_threshold must be >= 1 and recovery_s > 0")
        self._now = now
        self._threshold = failure_threshold
        self._recovery_s = recovery_s
        self._lock = threading.Lock()
        self._breakers: dict[str, CircuitBreaker] = {}
        self._listeners: list[BoardListener] = []

    def breaker(
        self,
        service: str,
        *,
        failure_threshold: int | None = None,
        recovery_s: float | None = None,
    ) -> CircuitBreaker:
        """The breaker of ``service``; the first call makes it (with the threshold and
        recovery given, else the board's); later calls return it as it is."""
        with self._lock:
            found = self._breakers.get(service)
            if found is None:
                if self._now is None:
                    raise RuntimeError(
                        "this service board has no clock yet: the composition root gives it "
                        "one first (board.use_clock(tradebot.adapters.clock.monotonic))"
                    )
                found = self._breakers[service] = CircuitBreaker(
                    service,
                    now=self._now,
                    failure_threshold=failure_threshold or self._threshold,
                    recovery_s=recovery_s or self._recovery_s,
                    listener=self._changed,
                )
            return found

    def use_clock(self, now: Callable[[], float]) -> None:
        """Give a board made without a clock its clock; a board keeps the first one it got
        (every caller in a process passes the same monotonic clock)."""
        with self._lock:
            if self._now is None:
                self._now = now

    def states(self) -> dict[str, CircuitState]:
        """Each known service's state now, by name."""
        return {name: breaker.state for name, breaker in self._known()}

    def open_services(self) -> list[OpenService]:
        """The services whose breaker is open or half-open, by name, with their last
        error and the seconds until a trial call."""
        found: list[OpenService] = []
        for name, breaker in self._known():
            state = breaker.state
            if state is not CircuitState.CLOSED:
                wait = breaker.seconds_to_trial() if state is CircuitState.OPEN else 0.0
                found.append(OpenService(name, state, breaker.last_error, wait))
        return found

    def listen(self, callback: BoardListener) -> Callable[[], None]:
        """Call ``callback(service, state)`` on every change of state (outside the
        breakers' locks; a listener that raises is logged, never raised to the caller
        whose call changed the state). The function returned stops it."""
        with self._lock:
            self._listeners.append(callback)

        def stop() -> None:
            with self._lock:
                if callback in self._listeners:
                    self._listeners.remove(callback)

        return stop

    def _known(self) -> list[tuple[str, CircuitBreaker]]:
        with self._lock:
            return sorted(self._breakers.items())

    def _changed(self, service: str, state: CircuitState) -> None:
        with self._lock:
            listeners = list(self._listeners)
        breaker = self._breakers.get(service)
        error = breaker.last_error if breaker is not None else None
        if state is CircuitState.OPEN:
            _log.warning("circuit open: calls refused", service=service, error=error or "")
        else:
            _log.info("circuit " + state.value.replace("_", "-"), service=service)
        for listener in listeners:
            try:
                listener(service, state)
            except Exception as exc:  # a gauge must never fail the call that tripped it
                _log.error("circuit listener failed", service=service, error=error_line(exc))


SERVICE_BOARD = ServiceBoard()
"""The process's own board. One per process on purpose: the API's ``/ready`` and
``/metrics`` and the engine it hosts (its venue's broker, its notifiers) run in one process,
and the probe must see the breakers the adapters trip. Its clock is given by the
composition root (:meth:`ServiceBoard.use_clock`) before the first breaker is made. Code
and tests that want a board of their own pass one explicitly; everything here takes the
board as an argument."""


# --- guarding calls ----------------------------------------------------------------------


def report(
    breaker: CircuitBreaker,
    call: Callable[[], _T],
    *,
    failure_on: tuple[type[BaseException], ...],
    on_error: ServiceHook | None = None,
) -> _T:
    """``call()`` made whatever the breaker's state, its outcome told to the breaker: an
    error in ``failure_on`` is a failure (``on_error`` hears of it), anything else an
    answer. For commands that must never be refused nor retried (a submit)."""
    try:
        result = call()
    except failure_on as exc:
        breaker.failed(error_line(exc))
        if on_error is not None:
            on_error(breaker.service)
        raise
    except Exception:
        breaker.succeeded()  # the service answered, with an error of the call's own
        raise
    breaker.succeeded()
    return result


def guarded(
    board: ServiceBoard,
    service: str,
    call: Callable[[], _T],
    *,
    failure_on: tuple[type[BaseException], ...] = (Exception,),
    refuse: Refusal = CircuitOpenError,
    on_error: ServiceHook | None = None,
) -> _T:
    """``call()`` through ``service``'s breaker: refused at once with
    ``refuse(message, hint)`` while it is open (the message names the service, its last
    error and the seconds until a trial); else made, and its outcome counted
    (:func:`report`)."""
    breaker = board.breaker(service)
    if not breaker.allow():
        raise refusal(breaker, refuse)
    return report(breaker, call, failure_on=failure_on, on_error=on_error)


def guarded_read(
    board: ServiceBoard,
    service: str,
    call: Callable[[], _T],
    *,
    retry_on: tuple[type[BaseException], ...],
    failure_on: tuple[type[BaseException], ...] | None = None,
    refuse: Refusal = CircuitOpenError,
    attempts: int = 3,
    base_s: float = 0.5,
    cap_s: float = 10.0,
    budget_s: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: ServiceHook | None = None,
    on_error: ServiceHook | None = None,
) -> _T:
    """An idempotent read through ``service``'s breaker, retried (:func:`retry_read`):
    each try passes the breaker and is counted by it (``failure_on``, by default
    ``retry_on``), so retries stop as soon as the breaker opens, and a read while it is
    open is refused at once with ``refuse(message, hint)``."""
    counted = retry_on if failure_on is None else failure_on

    def once() -> _T:
        return guarded(board, service, call, failure_on=counted, on_error=on_error)

    try:
        return retry_read(
            once,
            service=service,
            retry_on=retry_on,
            attempts=attempts,
            base_s=base_s,
            cap_s=cap_s,
            budget_s=budget_s,
            sleep=sleep,
            on_retry=on_retry,
        )
    except CircuitOpenError as exc:
        if refuse is CircuitOpenError:
            raise
        raise refuse(exc.message, exc.hint) from None


def refusal(breaker: CircuitBreaker, refuse: Refusal = CircuitOpenError) -> BaseException:
    """The error a call refused by ``breaker`` raises: one line naming the service, why it
    is refused and when a trial call goes out."""
    last = scrub(breaker.last_error) if breaker.last_error else "it kept failing"
    wait = breaker.seconds_to_trial()
    when = f"next trial in {wait:.0f} s" if wait > 0 else "a trial call is under way"
    return refuse(
        f"{breaker.service} unavailable: {last} (circuit open; {when})",
        f"calls to {breaker.service} resume once a trial call succeeds",
    )
