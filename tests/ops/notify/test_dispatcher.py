"""The dispatcher against real in-memory channels and delivery log: every notification is
recorded once per channel with its outcome, retries wait as told, a channel that is down
is redelivered in order when it returns, and ``notify`` never blocks or raises."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from tests.ops.notify.fakes import Blocking, FakeClock, MemoryLog, Recording, note, poll
from tradebot.domain.notifications import DeliveryError, DeliveryStatus, Severity
from tradebot.ops.circuit import CircuitState
from tradebot.ops.notify import Dispatcher, HourlyLimiter
from tradebot.ports import NotificationChannel, Notifier

SENT, FAILED = DeliveryStatus.SENT, DeliveryStatus.FAILED
PENDING, RATE_LIMITED = DeliveryStatus.PENDING, DeliveryStatus.RATE_LIMITED

Build = Callable[..., Dispatcher]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log() -> MemoryLog:
    return MemoryLog()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def build(clock: FakeClock, log: MemoryLog, sleeps: list[float]) -> Iterator[Build]:
    """A dispatcher over ``channels``, closed after the test; waits are only recorded."""
    made: list[Dispatcher] = []

    def make(
        channels: Sequence[NotificationChannel],
        per_hour: dict[str, int] | None = None,
        **options: Any,
    ) -> Dispatcher:
        options.setdefault("sleep", sleeps.append)
        options.setdefault("min_severity", Severity.INFO)
        dispatcher = Dispatcher(
            channels=channels,
            log=log,
            limits=HourlyLimiter(per_hour or {}),
            now=clock.now,
            monotonic=clock.monotonic,
            **options,
        )
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        dispatcher.close(timeout=2.0)


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("notify-")]


def test_every_channel_gets_each_notification_in_order(
    build: Build, log: MemoryLog, clock: FakeClock
) -> None:
    a, b = Recording("a"), Recording("b")
    dispatcher = build([a, b])
    assert isinstance(dispatcher, Notifier)
    for i in range(3):
        dispatcher.notify(note(i))
    assert dispatcher.wait_idle(5)
    assert a.titles == b.titles == ["n0", "n1", "n2"]
    assert [row.history for row in log.rows] == [[PENDING, SENT]] * 6
    assert all(row.attempts == 1 and row.delivered_at == clock.now() for row in log.rows)
    stats = dispatcher.stats()
    assert (stats["sent"], stats["failed"], stats["queued"], stats["dropped"]) == (6, 0, 0, 0)


def test_below_min_severity_is_neither_sent_nor_recorded(build: Build, log: MemoryLog) -> None:
    channel = Recording("a")
    dispatcher = build([channel], min_severity=Severity.WARNING)
    dispatcher.notify(note(0, Severity.INFO))
    dispatcher.notify(note(1, Severity.CRITICAL))
    assert dispatcher.wait_idle(5)
    assert channel.titles == ["n1"]
    assert [row.notification.title for row in log.rows] == ["n1"]


def test_over_the_hourly_limit_is_recorded_and_never_sent(build: Build, log: MemoryLog) -> None:
    limited, free = Recording("telegram"), Recording("log")
    dispatcher = build([limited, free], per_hour={"telegram": 2})
    for i in range(5):
        dispatcher.notify(note(i))
    assert dispatcher.wait_idle(5)
    assert limited.titles == ["n0", "n1"]
    assert len(free.sent) == 5
    assert log.statuses("telegram") == [SENT, SENT] + [RATE_LIMITED] * 3
    assert {row.error for row in log.of("telegram")[2:]} == {"over 2 per hour"}
    assert dispatcher.stats()["rate_limited"] == 3


def test_a_failed_send_is_retried_with_growing_jittered_waits(
    build: Build, log: MemoryLog, sleeps: list[float]
) -> None:
    errors: list[str] = []
    retries: list[str] = []
    flaky = Recording("email", fail_first=3)
    dispatcher = build(
        [flaky],
        retries=3,
        backoff_s=0.5,
        max_wait_s=1.5,
        on_error=errors.append,
        on_retry=retries.append,
    )
    dispatcher.notify(note(0))
    assert dispatcher.wait_idle(5)
    assert flaky.titles == ["n0"]
    (row,) = log.rows
    assert (row.status, row.attempts) == (SENT, 4)
    assert errors == retries == ["email"] * 3
    # 0.5, 1.0, 2.0 (capped at 1.5), each plus up to 0.5 of jitter
    assert len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 1.5 and sleeps[2] == 1.5


def test_retry_after_is_waited_and_capped(build: Build, sleeps: list[float]) -> None:
    polite = Recording("telegram", fail_first=1, error=DeliveryError("429", retry_after=7.0))
    greedy = Recording("other", fail_first=1, error=DeliveryError("429", retry_after=900.0))
    dispatcher = build([polite, greedy], max_wait_s=30.0)
    dispatcher.notify(note(0))
    assert dispatcher.wait_idle(5)
    assert sorted(sleeps) == [7.0, 30.0]  # each channel on its own worker
    assert len(polite.sent) == len(greedy.sent) == 1


def test_a_permanent_error_is_neither_retried_nor_redelivered(
    build: Build, log: MemoryLog, sleeps: list[float]
) -> None:
    refused = Recording("email", error=DeliveryError("bad recipient", permanent=True), up=False)
    dispatcher = build([refused], retries=5)
    dispatcher.notify(note(0))
    assert dispatcher.wait_idle(5)
    (row,) = log.rows
    assert (row.status, row.error, row.attempts) == (FAILED, "bad recipient", 1)
    assert sleeps == []
    assert dispatcher.backlog("email") == 0


def test_a_channel_raising_anything_else_fails_one_attempt_and_the_worker_lives_on(
    build: Build, log: MemoryLog, clock: FakeClock
) -> None:
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    odd = Recording(
        "telegram", up=False, error=RuntimeError(f"boom at https://u:pw@h/bot{token}/x\nline 2")
    )
    fine = Recording("log")
    dispatcher = build([odd, fine], retries=1)
    dispatcher.notify(note(0))
    assert dispatcher.wait_idle(5)
    (row,) = log.of("telegram")
    assert (row.status, row.attempts) == (FAILED, 2)
    assert row.error is not None and row.error.startswith("RuntimeError(")
    assert "\n" not in row.error and token not in row.error and ":pw@" not in row.error
    # the store failing is survived too: sending goes on without records
    log.broken = True
    odd.up = True
    clock.advance(60.0)  # its turn to be tried again
    dispatcher.notify(note(1))
    assert dispatcher.wait_idle(5)
    assert fine.titles == ["n0", "n1"]
    assert odd.titles == ["n0", "n1"]  # back up: its backlog, in order
    log.broken = False
    dispatcher.notify(note(2))
    assert dispatcher.wait_idle(5)
    assert fine.titles == ["n0", "n1", "n2"]
    assert [row.notification.title for row in log.of("log")] == ["n0", "n2"]


def test_both_channels_down_then_back_the_same_records_turn_sent_in_order(
    build: Build, log: MemoryLog, clock: FakeClock
) -> None:
    telegram, email = Recording("telegram", up=False), Recording("email", up=False)
    states: list[tuple[str, CircuitState]] = []
    dispatcher = build(
        [telegram, email],
        retries=0,
        breaker_threshold=1,  # open at the first failure: no idle retry can race the notifies
        breaker_recovery_s=30.0,
        redeliver_every_s=0.01,
        on_state=lambda name, state: states.append((name, state)),
    )
    for i in range(4):
        dispatcher.notify(note(i))
    assert dispatcher.wait_idle(5)
    for name in ("telegram", "email"):
        rows = log.of(name)
        assert [row.status for row in rows] == [FAILED] * 4
        # one real try opens the breaker; then the channel is not called at all
        assert [row.attempts for row in rows] == [1, 0, 0, 0]
        assert rows[3].error == f"{name} unavailable: {name} down"
        assert dispatcher.backlog(name) == 4
    assert telegram.attempts == email.attempts == 1
    # each channel has its own worker: the two breakers open in either order
    assert sorted(states) == [("email", CircuitState.OPEN), ("telegram", CircuitState.OPEN)]
    assert dispatcher.stats()["failed"] == 8

    telegram.up = email.up = True
    clock.advance(30.0)  # the breakers let a trial through; idle redelivery finds it
    assert poll(lambda: all(row.status is SENT for row in log.rows))
    assert telegram.titles == email.titles == ["n0", "n1", "n2", "n3"]
    assert len(log.rows) == 8  # updated, not recorded again
    assert [row.attempts for row in log.of("email")] == [2, 1, 1, 1]
    assert all(row.delivered_at == clock.now() for row in log.rows)
    assert [row.history for row in log.of("email")][::3] == [
        [PENDING, FAILED, SENT],
        [FAILED, SENT],
    ]
    assert ("telegram", CircuitState.CLOSED) in states and ("email", CircuitState.CLOSED) in states
    assert dispatcher.backlog("telegram") == dispatcher.backlog("email") == 0
    assert poll(lambda: dispatcher.stats()["sent"] == 8)
    assert dispatcher.stats()["failed"] == 0


def test_a_channel_with_a_backlog_queues_new_ones_behind_it_and_waits_its_turn(
    build: Build, log: MemoryLog, clock: FakeClock
) -> None:
    channel = Recording("email", up=False)
    dispatcher = build([channel], retries=0, breaker_threshold=5, redeliver_every_s=60.0)
    dispatcher.notify(note(0))
    dispatcher.notify(note(1))
    assert dispatcher.wait_idle(5)
    assert channel.attempts == 1  # the second waits behind the first, untried
    channel.up = True
    dispatcher.notify(note(2))
    assert dispatcher.wait_idle(5)
    assert channel.titles == []  # not its turn yet: a failing service is not hammered
    clock.advance(60.0)
    dispatcher.notify(note(3))
    assert dispatcher.wait_idle(5)
    assert channel.titles == ["n0", "n1", "n2", "n3"]
    assert log.statuses("email") == [SENT] * 4


def test_a_full_backlog_drops_its_oldest(build: Build, log: MemoryLog, clock: FakeClock) -> None:
    channel = Recording("email", up=False)
    dispatcher = build([channel], retries=0, backlog_size=2, breaker_threshold=100)
    for i in range(5):
        dispatcher.notify(note(i))
    assert dispatcher.wait_idle(5)
    assert dispatcher.backlog("email") == 2
    assert dispatcher.stats()["backlog_dropped"] == 3
    channel.up = True
    clock.advance(60.0)
    dispatcher.notify(note(5))  # behind the backlog, which is full: n3 goes
    assert dispatcher.wait_idle(5)
    assert channel.titles == ["n4", "n5"]
    assert log.statuses("email") == [FAILED] * 4 + [SENT] * 2


def test_notify_never_blocks_while_a_channel_hangs(build: Build, log: MemoryLog) -> None:
    hung = Blocking("telegram")
    dispatcher = build([hung], queue_size=3)
    dispatcher.notify(note(0))
    assert hung.entered.wait(5)  # the worker is stuck inside send
    done = threading.Event()

    def flood() -> None:
        for i in range(1, 11):
            dispatcher.notify(note(i))
        done.set()

    threading.Thread(target=flood, daemon=True).start()
    assert done.wait(5), "notify() blocked behind a hung channel"
    stats = dispatcher.stats()
    assert (stats["queued"], stats["dropped"]) == (3, 7)
    assert not dispatcher.wait_idle(0.01)
    hung.release.set()
    assert dispatcher.wait_idle(5)
    assert hung.titles == ["n0", "n8", "n9", "n10"]  # the oldest queued were dropped
    assert log.statuses("telegram") == [SENT] * 4


def test_a_hung_channel_delays_no_other_channel(build: Build, log: MemoryLog) -> None:
    hung, fine = Blocking("telegram"), Recording("email")
    dispatcher = build([hung, fine])
    for i in range(5):
        dispatcher.notify(note(i))
    assert hung.entered.wait(5)
    assert poll(lambda: fine.titles == ["n0", "n1", "n2", "n3", "n4"])  # telegram still stuck
    assert log.statuses("email") == [SENT] * 5
    assert sorted(t.name for t in _workers()) == ["notify-email", "notify-telegram"]
    hung.release.set()
    assert dispatcher.wait_idle(5)
    assert hung.titles == ["n0", "n1", "n2", "n3", "n4"]


def test_close_is_idempotent_joins_the_worker_and_closes_channels(build: Build) -> None:
    a, b = Recording("a"), Recording("b")
    dispatcher = build([a, b])
    for i in range(3):
        dispatcher.notify(note(i))
    dispatcher.close()
    assert a.titles == ["n0", "n1", "n2"]  # what was queued went out first
    assert not _workers()
    dispatcher.close()
    assert a.closed == b.closed == 1
    dispatcher.notify(note(3))  # after close: dropped, not raised
    assert dispatcher.stats()["dropped"] == 1
    assert a.titles == ["n0", "n1", "n2"]


def test_close_out_of_time_interrupts_the_wait_and_records_the_rest(
    build: Build, log: MemoryLog
) -> None:
    slow = Recording("telegram", up=False, error=DeliveryError("429", retry_after=60.0))
    dispatcher = build([slow], retries=3, max_wait_s=60.0, sleep=None)  # the real, long wait
    for i in range(3):
        dispatcher.notify(note(i))
    assert poll(lambda: slow.attempts == 1)
    dispatcher.close(timeout=0.05)
    assert not _workers()
    assert log.statuses("telegram") == [FAILED] * 3
    assert [row.error for row in log.rows] == ["429", "shut down first", "shut down first"]
    assert slow.closed == 1


def test_a_channel_that_hangs_at_close_does_not_hang_close(build: Build) -> None:
    hung = Blocking("telegram")
    dispatcher = build([hung])
    dispatcher.notify(note(0))
    assert hung.entered.wait(5)
    dispatcher.close(timeout=0.01)  # returns although the worker is still inside send
    assert hung.closed == 1
    hung.release.set()
    assert poll(lambda: not _workers())


def test_bad_arguments_are_refused(build: Build) -> None:
    with pytest.raises(ValueError, match="unique"):
        build([Recording("a"), Recording("a")])
    with pytest.raises(ValueError, match="queue_size"):
        build([Recording("a")], queue_size=0)
