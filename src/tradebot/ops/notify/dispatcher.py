"""The :class:`~tradebot.ports.Notifier`: hands each notification to every channel, off the
trading loop.

``notify`` only appends to each channel's bounded queue and returns; each channel has its
own daemon thread (``notify-telegram``...), so a channel that hangs delays nobody else. A
channel's worker takes its queue in order:

1. below ``min_severity``: skipped, not recorded;
2. over the channel's hourly limit (:class:`~.limits.HourlyLimiter`): recorded
   ``rate_limited``, never sent (property 30);
3. the channel has a backlog (it failed lately) or its circuit breaker is open: recorded
   ``failed`` ("telegram unavailable: ...") and put at the end of the channel's backlog — in
   order, and a dead service is not waited on once per message;
4. else recorded ``pending`` and sent, retried with exponential backoff and jitter
   (tenacity), or after the ``retry_after`` the service asked for; never retried when the
   error is ``permanent``. The record ends ``sent``, or ``failed`` and backlogged.

A backlog is sent again, oldest first, one attempt per item, at most every
``redeliver_every_s`` per channel (checked after each notification and when the queue is
idle) and only when the channel's breaker lets a call through; the first failure stops that
round. Each item's delivery id is updated to ``sent`` with its attempts.

Queues and backlogs are bounded (the oldest goes first): a channel down for a week costs a
fixed amount of memory, and the records of what was lost stay ``failed``. Backlogs live in
memory: what is still failed when the process ends stays ``failed`` in the table.

A channel that raises something other than :class:`DeliveryError` counts as a failed
attempt; a delivery log that raises is logged and skipped. Nothing a channel or the store
does kills a worker, and nothing reaches the caller of ``notify``.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from tenacity import RetryCallState, Retrying, retry_if_exception

from tradebot.domain.notifications import DeliveryError, DeliveryStatus, Notification, Severity
from tradebot.ops.circuit import CircuitBreaker, CircuitState
from tradebot.ops.logging import get_logger
from tradebot.ops.notify.limits import HourlyLimiter
from tradebot.ops.resilience import scrub
from tradebot.ports import DeliveryLog, NotificationChannel

__all__ = ["Dispatcher"]

_log = get_logger("notify")

_CLOSE_GRACE_S = 1.0
"""After ``close``'s timeout: how long the worker gets to record what it could not send."""


@dataclass(slots=True)
class _Pending:
    """A failed delivery waiting in its channel's backlog."""

    delivery_id: int | None
    notification: Notification
    attempts: int


class _Lane:
    """One channel with its queue, worker, breaker and backlog. The queue is shared with
    ``notify`` under the dispatcher's condition; the rest only the lane's worker touches."""

    def __init__(self, channel: NotificationChannel, breaker: CircuitBreaker) -> None:
        self.channel = channel
        self.name = channel.name
        self.breaker = breaker
        self.queue: deque[Notification] = deque()
        self.thread: threading.Thread | None = None
        self.busy = False
        self.dropping = False
        self.backlog: deque[_Pending] = deque()
        self.next_try = 0.0
        """When the backlog may be tried again (the dispatcher's monotonic clock)."""
        self.overflowing = False
        self.odd_error_logged = False


class Dispatcher:
    """See the module docstring. ``now`` is the wall clock in UTC (rate limits and
    ``delivered_at``), ``monotonic`` the breakers' clock; ``sleep`` waits between retries
    (the default is interrupted by :meth:`close`)."""

    def __init__(
        self,
        *,
        channels: Sequence[NotificationChannel],
        log: DeliveryLog,
        limits: HourlyLimiter,
        min_severity: Severity,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        retries: int = 3,
        backoff_s: float = 1.0,
        max_wait_s: float = 30.0,
        redeliver_every_s: float = 60.0,
        breaker_recovery_s: float | None = None,
        queue_size: int = 1000,
        backlog_size: int = 500,
        breaker_threshold: int = 3,
        on_state: Callable[[str, CircuitState], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_retry: Callable[[str], None] | None = None,
        on_outcome: Callable[[str, DeliveryStatus], None] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        names = [channel.name for channel in channels]
        if len(set(names)) != len(names):
            raise ValueError(f"channel names must be unique: {names}")
        if retries < 0 or backoff_s < 0 or max_wait_s < 0 or redeliver_every_s <= 0:
            raise ValueError("retries, backoff_s, max_wait_s >= 0 and redeliver_every_s > 0")
        if queue_size < 1 or backlog_size < 0:
            raise ValueError("queue_size must be at least 1 and backlog_size not negative")
        self._log = log
        self._limits = limits
        self._min_rank = min_severity.rank
        self._now = now
        self._retries = retries
        self._max_wait_s = max_wait_s
        self._backoff_s = backoff_s
        self._monotonic = monotonic
        self._redeliver_every_s = redeliver_every_s
        self._queue_size = queue_size
        self._backlog_size = backlog_size
        self._on_state = on_state
        self._on_error = on_error
        self._on_retry = on_retry
        self._on_outcome = on_outcome
        self._abort = threading.Event()
        self._sleep = sleep if sleep is not None else self._interruptible_sleep
        recovery_s = breaker_recovery_s if breaker_recovery_s is not None else redeliver_every_s
        self._lanes = [
            _Lane(
                channel,
                CircuitBreaker(
                    channel.name,
                    now=monotonic,
                    failure_threshold=breaker_threshold,
                    recovery_s=recovery_s,
                    listener=self._state_changed,
                ),
            )
            for channel in channels
        ]
        self._cond = threading.Condition()
        self._limits_lock = threading.Lock()
        self._closing = False
        self._log_failing = False
        self._counts = dict.fromkeys(
            ("dropped", "sent", "failed", "rate_limited", "backlog_dropped"), 0
        )

    # --- the caller's side ------------------------------------------------------------------

    def notify(self, notification: Notification) -> None:
        """Queue ``notification`` for each channel's worker; never blocks, never raises. A
        full queue drops its oldest notification (counted in ``dropped``, logged once per
        burst)."""
        try:
            dropped: list[str] = []
            with self._cond:
                if self._closing:
                    self._counts["dropped"] += 1
                    return
                for lane in self._eligible(notification):
                    if len(lane.queue) >= self._queue_size:
                        lane.queue.popleft()
                        self._counts["dropped"] += 1
                        if not lane.dropping:
                            dropped.append(lane.name)
                        lane.dropping = True
                    lane.queue.append(notification)
                    self._start_locked(lane)
                self._cond.notify_all()
            for name in dropped:
                _log.warning(
                    "notifications_dropped",
                    channel=name,
                    reason="queue full",
                    size=self._queue_size,
                )
        except Exception:  # the trading loop must never see a notification problem
            return

    def start(self) -> None:
        """Start the workers now (``notify`` starts them otherwise)."""
        with self._cond:
            if not self._closing:
                for lane in self._lanes:
                    self._start_locked(lane)

    def wait_idle(self, timeout: float) -> bool:
        """Whether every queue emptied and every worker went idle within ``timeout``
        seconds (then the delivery log is flushed)."""
        with self._cond:
            idle = self._cond.wait_for(
                lambda: all(not lane.queue and not lane.busy for lane in self._lanes), timeout
            )
        if idle:  # and what the workers recorded is written
            try:
                self._log.flush()
            except Exception as exc:
                self._log_failed(exc)
        return idle

    def backlog(self, channel: str) -> int:
        """How many failed deliveries ``channel`` has waiting to be sent again."""
        return sum(len(lane.backlog) for lane in self._lanes if lane.name == channel)

    def stats(self) -> dict[str, int]:
        """``queued`` now (all channels); ``dropped`` (queue full or closed); deliveries
        whose status is now ``sent``, ``failed``, ``rate_limited``; ``backlog_dropped``
        (left ``failed``)."""
        with self._cond:
            return {"queued": sum(len(lane.queue) for lane in self._lanes), **self._counts}

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, deliver what is queued within ``timeout`` seconds, stop the
        workers (what they had no time for is recorded ``failed``), close every channel and
        the delivery log. Idempotent."""
        with self._cond:
            if self._closing:
                return
            self._closing = True
            threads = [lane.thread for lane in self._lanes if lane.thread is not None]
            self._cond.notify_all()
        deadline = self._monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - self._monotonic()))
        if any(thread.is_alive() for thread in threads):
            self._abort.set()
            with self._cond:
                self._cond.notify_all()
            for thread in threads:
                thread.join(_CLOSE_GRACE_S)
        for thread in threads:
            if thread.is_alive():
                _log.warning("notify_worker_still_busy", worker=thread.name)
        for lane in self._lanes:
            try:
                lane.channel.close()
            except Exception as exc:
                _log.warning("notify_channel_close_failed", channel=lane.name, error=_line(exc))
        try:
            self._log.close()
        except Exception as exc:
            self._log_failed(exc)

    # --- the workers, one per channel ---------------------------------------------------

    def _start_locked(self, lane: _Lane) -> None:
        if lane.thread is None:
            name = f"notify-{lane.name}"
            thread = threading.Thread(target=self._run, args=(lane,), name=name, daemon=True)
            thread.start()  # kept only once started: close() must never join a dud
            lane.thread = thread

    def _run(self, lane: _Lane) -> None:
        while True:
            with self._cond:
                # wait_for: another lane's notify_all must not wake this one into a turn
                # of its own (two idle lanes would wake each other for ever)
                self._cond.wait_for(
                    lambda: bool(lane.queue) or self._closing, self._redeliver_every_s
                )
                if self._abort.is_set():
                    leftovers = list(lane.queue)
                    lane.queue.clear()
                    lane.busy = True
                    break
                if not lane.queue and self._closing:
                    self._cond.notify_all()
                    return
                item = lane.queue.popleft() if lane.queue else None
                lane.busy = True
            try:
                if item is not None:
                    self._deliver(lane, item)
                if not self._closing:
                    self._redeliver(lane)
            except Exception as exc:  # a bug here must not silence every later notification
                _log.warning("notify_worker_error", channel=lane.name, error=_line(exc))
            finally:
                with self._cond:
                    lane.busy = False
                    if not lane.queue:
                        lane.dropping = False
                    self._cond.notify_all()
        for notification in leftovers:
            self._record(notification, lane.name, DeliveryStatus.FAILED, "shut down first")
            self._count("failed", 1)
            self._outcome(lane.name, DeliveryStatus.FAILED)
        with self._cond:
            lane.busy = False
            self._cond.notify_all()

    def _eligible(self, notification: Notification) -> list[_Lane]:
        return self._lanes if notification.severity.rank >= self._min_rank else []

    def _deliver(self, lane: _Lane, notification: Notification) -> None:
        """Steps 2-4 of the module docstring, on ``lane``'s worker."""
        with self._limits_lock:
            admitted = self._limits.admit(lane.name, self._now())
        if not admitted:
            limit = self._limits.limit(lane.name)
            error = f"over {limit} per hour"
            self._record(notification, lane.name, DeliveryStatus.RATE_LIMITED, error)
            self._count("rate_limited", 1)
            self._outcome(lane.name, DeliveryStatus.RATE_LIMITED)
            return
        if lane.backlog or not lane.breaker.allow():
            error = f"{lane.name} unavailable: {lane.breaker.last_error or 'circuit open'}"
            delivery_id = self._record(notification, lane.name, DeliveryStatus.FAILED, error)
            self._count("failed", 1)
            self._outcome(lane.name, DeliveryStatus.FAILED)
            self._keep(lane, _Pending(delivery_id, notification, 0))
            return
        delivery_id = self._record(notification, lane.name, DeliveryStatus.PENDING, None)
        attempts, failure = self._send_with_retries(lane, notification)
        if failure is None:
            lane.breaker.succeeded()
            self._update(delivery_id, DeliveryStatus.SENT, None, attempts, self._now())
            self._count("sent", 1)
            self._outcome(lane.name, DeliveryStatus.SENT)
            return
        lane.breaker.failed(failure.reason)
        self._update(delivery_id, DeliveryStatus.FAILED, failure.reason, attempts, None)
        self._count("failed", 1)
        self._outcome(lane.name, DeliveryStatus.FAILED)
        _log.warning(
            "notification_failed",
            channel=lane.name,
            notification_event=str(notification.event),
            attempts=attempts,
            error=failure.reason,
            permanent=failure.permanent,
        )
        if not failure.permanent:
            self._keep(lane, _Pending(delivery_id, notification, attempts))
            lane.next_try = self._monotonic() + self._redeliver_every_s

    def _send_with_retries(
        self, lane: _Lane, notification: Notification
    ) -> tuple[int, DeliveryError | None]:
        """Attempts made and the last error (None: delivered)."""
        attempts = 0
        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            sleep=self._sleep,
            before_sleep=lambda _: self._hook(self._on_retry, lane.name),
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    self._send_once(lane, notification)
        except DeliveryError as exc:
            return attempts, exc
        return attempts, None

    def _send_once(self, lane: _Lane, notification: Notification) -> None:
        """One attempt; any failure comes out as :class:`DeliveryError`."""
        try:
            lane.channel.send(notification)
        except DeliveryError:
            self._hook(self._on_error, lane.name)
            raise
        except Exception as exc:
            self._hook(self._on_error, lane.name)
            error = _line(exc)
            if not lane.odd_error_logged:
                lane.odd_error_logged = True
                _log.warning("notify_channel_raised", channel=lane.name, error=error)
            raise DeliveryError(error) from None

    def _stop(self, state: RetryCallState) -> bool:
        return state.attempt_number > self._retries or self._abort.is_set()

    def _wait(self, state: RetryCallState) -> float:
        """The server's ``retry_after`` when it gave one, else ``backoff_s * 2**(n-1)`` plus
        up to ``backoff_s`` of jitter (so several bots do not retry in step); capped at
        ``max_wait_s`` either way. (Not tenacity's ``wait_exponential_jitter``: its arguments
        changed between the versions this project allows.)"""
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, DeliveryError) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self._max_wait_s)
        exponential = self._backoff_s * 2.0 ** min(state.attempt_number - 1, 32)
        return min(exponential + random.uniform(0, self._backoff_s), self._max_wait_s)

    def _redeliver(self, lane: _Lane) -> None:
        """Send ``lane``'s backlog again, oldest first, one attempt each, when its turn has
        come (``next_try``) and its breaker lets a call through; stop at the first failure."""
        if not lane.backlog or self._monotonic() < lane.next_try:
            return
        try:
            self._send_backlog(lane)
        finally:  # counted from the round's end: a trial that hung is not followed at once
            lane.next_try = self._monotonic() + self._redeliver_every_s

    def _send_backlog(self, lane: _Lane) -> None:
        """One round: the backlog oldest first while the breaker lets calls through."""
        while lane.backlog and not self._abort.is_set() and lane.breaker.allow():
            pending = lane.backlog[0]
            pending.attempts += 1
            try:
                self._send_once(lane, pending.notification)
            except DeliveryError as exc:
                lane.breaker.failed(exc.reason)
                status = DeliveryStatus.FAILED
                self._update(pending.delivery_id, status, exc.reason, pending.attempts, None)
                if exc.permanent:
                    lane.backlog.popleft()
                break
            lane.backlog.popleft()
            lane.breaker.succeeded()
            status = DeliveryStatus.SENT
            self._update(pending.delivery_id, status, None, pending.attempts, self._now())
            self._count("sent", 1)
            self._outcome(lane.name, DeliveryStatus.SENT)
            self._count("failed", -1)
        if not lane.backlog:
            lane.overflowing = False

    def _keep(self, lane: _Lane, pending: _Pending) -> None:
        """Backlog ``pending``; when full, the oldest is dropped (its record stays failed)."""
        if self._backlog_size == 0:
            self._count("backlog_dropped", 1)
            return
        if len(lane.backlog) >= self._backlog_size:
            lane.backlog.popleft()
            self._count("backlog_dropped", 1)
            if not lane.overflowing:
                lane.overflowing = True
                _log.warning("notify_backlog_full", channel=lane.name, size=self._backlog_size)
        lane.backlog.append(pending)

    # --- small helpers ------------------------------------------------------------------

    def _record(
        self,
        notification: Notification,
        channel: str,
        status: DeliveryStatus,
        error: str | None,
    ) -> int | None:
        try:
            delivery_id = self._log.record(notification, channel, status, error)
        except Exception as exc:
            self._log_failed(exc)
            return None
        self._log_failing = False
        return delivery_id

    def _update(
        self,
        delivery_id: int | None,
        status: DeliveryStatus,
        error: str | None,
        attempts: int,
        delivered_at: datetime | None,
    ) -> None:
        if delivery_id is None:
            return
        try:
            self._log.update(delivery_id, status, error, attempts, delivered_at)
        except Exception as exc:
            self._log_failed(exc)
            return
        self._log_failing = False

    def _log_failed(self, exc: Exception) -> None:
        """The delivery log (the store) failed: sending goes on; one warning per outage."""
        if not self._log_failing:
            self._log_failing = True
            _log.warning("notify_delivery_log_failed", error=_line(exc))

    def _outcome(self, channel: str, status: DeliveryStatus) -> None:
        """Tell ``on_outcome`` (the metrics) what became of one delivery attempt round."""
        if self._on_outcome is None:
            return
        try:
            self._on_outcome(channel, status)
        except Exception as exc:
            _log.warning("notify_hook_failed", hook="on_outcome", error=_line(exc))

    def _count(self, key: str, delta: int) -> None:
        with self._cond:
            self._counts[key] += delta

    def _state_changed(self, channel: str, state: CircuitState) -> None:
        if state is CircuitState.OPEN:
            _log.warning("notify_channel_down", channel=channel)
        elif state is CircuitState.CLOSED:
            _log.info("notify_channel_up", channel=channel)
        if self._on_state is not None:
            try:
                self._on_state(channel, state)
            except Exception as exc:
                _log.warning("notify_hook_failed", hook="on_state", error=_line(exc))

    @staticmethod
    def _hook(hook: Callable[[str], None] | None, channel: str) -> None:
        if hook is None:
            return
        try:
            hook(channel)
        except Exception as exc:  # metrics must not break delivery
            _log.warning("notify_hook_failed", channel=channel, error=_line(exc))

    def _interruptible_sleep(self, seconds: float) -> None:
        self._abort.wait(seconds)


def _retryable(error: BaseException) -> bool:
    return not (isinstance(error, DeliveryError) and error.permanent)


def _line(error: BaseException) -> str:
    """``error`` on one short line, without the secrets a URL in it may carry."""
    lines = repr(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return scrub(text)[:300]
