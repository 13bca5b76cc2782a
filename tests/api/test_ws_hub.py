"""The event hub behind ``/ws``: numbering under concurrent publishers, delivery in number
order to a subscriber whatever thread publishes, exactly-once delivery across a subscribe
that races the publishers, a slow subscriber dropped without ever blocking a publisher,
the resume window, and a ``since`` from before a restart answered with reset."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.api.engine_setup import until
from tradebot.adapters.clock import utc_now
from tradebot.service.events import SLOW_SUBSCRIBER, EventHub, sequence_origin


@pytest.fixture
def busy_switching() -> Iterator[None]:
    """Threads switch as often as the interpreter allows, so a publisher is preempted
    between numbering a message and handing it over as often as it can be."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_concurrent_publishers_get_unique_increasing_numbers() -> None:
    hub = EventHub(100_000)
    numbers: list[list[int]] = [[] for _ in range(4)]

    def publish(mine: list[int]) -> None:
        for n in range(2000):
            mine.append(hub.publish("order", {"n": n}).seq)

    threads = [threading.Thread(target=publish, args=(mine,)) for mine in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(seq for mine in numbers for seq in mine)
    assert every == list(range(hub.origin + 1, hub.origin + 8001))
    assert all(mine == sorted(mine) for mine in numbers)
    assert [m.seq for m in hub.recent().messages] == every


@pytest.mark.usefixtures("busy_switching")
def test_a_subscriber_gets_the_messages_of_concurrent_publishers_in_number_order() -> None:
    per_thread, threads = 20_000, 4

    async def scenario() -> list[int]:
        hub = EventHub(100, queue_size=per_thread * threads)
        hub.bind_loop()
        _, sub = hub.subscribe(since=None)

        def publish() -> None:
            for n in range(per_thread):
                hub.publish("order", {"n": n})

        publishers = [threading.Thread(target=publish) for _ in range(threads)]
        for publisher in publishers:
            publisher.start()
        got: list[int] = []
        while len(got) < per_thread * threads:
            message = await sub.get()
            assert message is not None
            got.append(message.seq)
        for publisher in publishers:
            publisher.join()
        return got

    got = asyncio.run(scenario())
    late = [(a, b) for a, b in itertools.pairwise(got) if b <= a]
    assert not late, f"{len(late)} messages came after a later one, e.g. {late[:3]}"


def test_a_subscriber_racing_the_publishers_sees_each_message_once_in_order() -> None:
    async def scenario() -> tuple[list[int], int]:
        hub = EventHub(100_000, queue_size=100_000)
        hub.bind_loop()
        stop = threading.Event()

        def publish() -> None:
            while not stop.is_set() and hub.latest < hub.origin + 50_000:
                hub.publish("fill", {})

        publisher = threading.Thread(target=publish)
        publisher.start()
        while hub.latest < hub.origin + 500:  # the publisher is well under way
            await asyncio.sleep(0)
        backlog, sub = hub.subscribe(since=hub.origin + 100)
        assert not backlog.reset
        while hub.latest < backlog.latest + 2000:
            await asyncio.sleep(0)
        stop.set()
        publisher.join()
        seen = [m.seq for m in backlog.messages]
        while len(seen) < hub.latest - hub.origin - 100:
            message = await sub.get()
            assert message is not None
            seen.append(message.seq)
        return seen, hub.origin

    seen, origin = asyncio.run(scenario())
    assert seen == list(range(origin + 101, origin + 101 + len(seen)))


def test_a_slow_subscriber_is_dropped_and_the_publisher_never_waits() -> None:
    async def scenario() -> tuple[str | None, int, bool]:
        hub = EventHub(1000, queue_size=10)
        hub.bind_loop()
        _, slow = hub.subscribe(since=None)
        _, other = hub.subscribe(since=None)
        for n in range(50):
            hub.publish("portfolio", {"n": n})
        await asyncio.sleep(0)  # let the loop deliver what was handed to it
        await asyncio.sleep(0)
        assert await slow.get() is None  # woken with nothing: dropped
        return slow.closed, hub.subscribers, other.closed is not None

    reason, left, other_dropped = asyncio.run(scenario())
    assert reason == SLOW_SUBSCRIBER
    assert left == 0 and other_dropped  # the other one did not read either


def test_the_resume_window() -> None:
    hub = EventHub(100)
    o = hub.origin
    for n in range(250):
        hub.publish("signal", {"n": n})
    assert hub.recent(since=o + 150).messages[0].seq == o + 151
    assert not hub.recent(since=o + 150).reset
    assert hub.recent(since=o + 151 - 1).messages[-1].seq == o + 250
    assert hub.recent(since=o + 149).reset  # 150 is gone
    assert hub.recent(since=o + 250).messages == () and not hub.recent(since=o + 250).reset
    assert hub.recent(since=o + 251).reset  # a number from another process
    assert len(hub.recent().messages) == 100


def test_numbers_start_from_the_wall_clock_in_microseconds() -> None:
    before = sequence_origin(utc_now())
    hub = EventHub(10)
    assert before <= hub.origin <= sequence_origin(utc_now())
    assert hub.latest == hub.origin and hub.publish("fill", {}).seq == hub.origin + 1
    assert hub.origin < 2**53  # exact as a JavaScript number


def test_a_since_from_before_a_restart_is_answered_with_reset() -> None:
    """The client saw the old process's 5th message; the restarted server (a new hub) has
    published 7 since. Numbered from 1 both, it would be sent the new 6 and 7 and miss the
    new 1-5; it must be told to reload instead."""
    old = EventHub(100)
    seen = [old.publish("order", {"n": n}).seq for n in range(10)][4]
    until(lambda: sequence_origin(utc_now()) > old.latest, "the clock to pass the old numbers")
    new = EventHub(100)  # the restarted process's hub
    for n in range(7):
        new.publish("order", {"n": n})
    backlog = new.recent(since=seen)
    assert backlog.reset and backlog.messages == ()
    assert backlog.latest == new.origin + 7
    fresh = EventHub(100)  # nothing published yet on the new server: reset all the same
    assert fresh.recent(since=new.latest).reset
