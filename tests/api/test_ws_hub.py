"""The event hub behind ``/ws``: numbering under concurrent publishers, exactly-once
delivery across a subscribe that races the publishers, a slow subscriber dropped without
ever blocking a publisher, and the resume window."""

from __future__ import annotations

import asyncio
import threading

from tradebot.service.events import SLOW_SUBSCRIBER, EventHub


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
    assert every == list(range(1, 8001))
    assert all(mine == sorted(mine) for mine in numbers)
    assert [m.seq for m in hub.recent().messages] == every


def test_a_subscriber_racing_the_publishers_sees_each_message_once_in_order() -> None:
    async def scenario() -> list[int]:
        hub = EventHub(100_000, queue_size=100_000)
        hub.bind_loop()
        stop = threading.Event()

        def publish() -> None:
            while not stop.is_set() and hub.latest < 50_000:
                hub.publish("fill", {})

        publisher = threading.Thread(target=publish)
        publisher.start()
        while hub.latest < 500:  # the publisher is well under way
            await asyncio.sleep(0)
        backlog, sub = hub.subscribe(since=100)
        assert not backlog.reset
        while hub.latest < backlog.latest + 2000:
            await asyncio.sleep(0)
        stop.set()
        publisher.join()
        seen = [m.seq for m in backlog.messages]
        while len(seen) < hub.latest - 100:
            message = await sub.get()
            assert message is not None
            seen.append(message.seq)
        return seen

    seen = asyncio.run(scenario())
    assert seen == list(range(101, 101 + len(seen)))


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
    for n in range(250):
        hub.publish("signal", {"n": n})
    assert hub.recent(since=150).messages[0].seq == 151
    assert not hub.recent(since=150).reset
    assert hub.recent(since=151 - 1).messages[-1].seq == 250
    assert hub.recent(since=149).reset  # 150 is gone
    assert hub.recent(since=250).messages == () and not hub.recent(since=250).reset
    assert hub.recent(since=251).reset  # a number from another process
    assert len(hub.recent().messages) == 100
