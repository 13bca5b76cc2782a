"""The heartbeat behind ``loop_alive`` beats only on the kernel loop's thread: the command
feed reads the kernel's clock from its own thread when it posts a command, and that must
not show a stuck loop as alive for the next 30 s."""

from __future__ import annotations

import threading

from tradebot.adapters.clock import LiveClock
from tradebot.service.engine_bridge import BeatingClock


def test_only_the_kernel_threads_clock_reads_are_heartbeats() -> None:
    beats: list[str] = []
    clock = BeatingClock(
        LiveClock(),
        lambda: beats.append(threading.current_thread().name),
        thread=threading.get_ident(),  # this thread plays the kernel's
    )
    feed = threading.Thread(target=clock.now, name="commands-run")  # as CommandFeed._post
    feed.start()
    feed.join()
    assert beats == []
    before = clock.now()
    clock.advance_to(before)
    assert beats == [threading.current_thread().name] * 2
