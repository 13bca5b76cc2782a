"""The command feed: pending commands taken once from the command log and queued into a
running kernel — at once on SIGUSR1, and before the bar a paced replay was waiting for."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from tests.kernel_builder import START, make_kernel
from tradebot.domain import Bar
from tradebot.domain.commands import CommandKind, CommandStatus, OperatorCommand
from tradebot.engine import Kernel, MemoryBus
from tradebot.engine.clock import PacedClock, SimClock
from tradebot.engine.event_loop import RANK_COMMAND
from tradebot.engine.topics import COMMAND_OUTCOMES, COMMANDS, MARKET_BARS
from tradebot.runtime.commands import CommandFeed, feeding_commands
from tradebot.testing import MemoryStore, bars_from_closes

RUN = "test-run"


def _bars(n: int = 12) -> list[Bar]:
    return bars_from_closes("AAA", [100.0] * n, START)


def _kill(tag: str = "") -> OperatorCommand:
    return OperatorCommand(
        id=f"cmd-kill{tag}", kind=CommandKind.KILL, ts=START, source="test", run_id=RUN
    )


def _wall() -> datetime:
    return START + timedelta(days=1000)


def test_a_poll_takes_each_pending_command_once_and_queues_it_at_the_kernels_time() -> None:
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store, run_id=RUN)
    feed = CommandFeed(kernel, store, now=_wall)
    store.post_command(_kill())
    assert feed.poll() == 1
    assert feed.poll() == 0, "taken already"
    item = kernel.inbox.get(timeout=0)
    assert item is not None and item.event == _kill()
    assert (item.topic, item.rank, item.ts) == (COMMANDS, RANK_COMMAND, kernel.clock.now())
    (record,) = store.commands(RUN)
    assert record.status is CommandStatus.TAKEN and record.taken_at == _wall()

    kernel.post(item.event, item.topic, item.ts, item.rank)
    kernel.run()
    (record,) = store.commands(RUN)
    assert record.status is CommandStatus.APPLIED and kernel.gate.halted is not None


def test_commands_of_other_runs_are_left_alone() -> None:
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store, run_id=RUN)
    other = replace(_kill("-other"), run_id="other-run")
    store.post_command(other)
    assert CommandFeed(kernel, store).poll() == 0
    (record,) = store.commands("other-run")
    assert record.status is CommandStatus.PENDING


def test_a_command_before_the_trading_period_is_queued_at_its_start() -> None:
    store = MemoryStore()
    bars = _bars()
    kernel = make_kernel(bars, store=store, run_id=RUN, trade_from=bars[5].ts)
    store.post_command(_kill())
    CommandFeed(kernel, store).poll()
    item = kernel.inbox.get(timeout=0)
    assert item is not None and item.ts == bars[5].ts


@pytest.fixture
def usr1() -> Iterator[None]:
    previous = signal.getsignal(signal.SIGUSR1)
    try:
        yield
    finally:
        signal.signal(signal.SIGUSR1, previous)


@pytest.mark.usefixtures("usr1")
def test_sigusr1_wakes_the_feed_at_once_and_is_ignored_afterwards() -> None:
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store, run_id=RUN)
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
    with feeding_commands(kernel, lambda: store, poll_s=600) as feed:
        store.post_command(_kill())
        os.kill(os.getpid(), signal.SIGUSR1)
        item = kernel.inbox.get(timeout=30)  # no signal: no poll for ten minutes
    assert item is not None and item.event == _kill()
    assert feed.posted == 1
    assert signal.getsignal(signal.SIGUSR1) == signal.SIG_IGN, "a late signal cannot kill"


class _SlowBeforeBar(PacedClock):
    """Instant everywhere but on the way to ``slow``, where it waits (up to a minute)
    for an interrupt, having said it waits."""

    def __init__(self, slow: datetime) -> None:
        super().__init__(speed=1.0, max_gap_s=60.0)
        self.slow = slow
        self.waiting = threading.Event()
        self._started = True

    def advance_to(self, ts: datetime) -> None:
        if ts == self.slow and ts > self.now():
            self.waiting.set()
            super().advance_to(ts)
        else:
            SimClock.advance_to(self, ts)


def test_a_command_reaching_a_paced_replay_between_bars_comes_before_the_next_bar() -> None:
    store = MemoryStore()
    bars = _bars()
    slow = bars[6].ts
    built = make_kernel(bars, store=store, bus=MemoryBus(), run_id=RUN)
    clock = _SlowBeforeBar(slow)
    kernel = Kernel(replace(built.spec, clock=clock, bus=MemoryBus()))
    seen: list[tuple[str, datetime | None]] = []
    bus = kernel.spec.bus
    bus.subscribe(MARKET_BARS, lambda bar: seen.append(("bar", bar.ts)), stage="test")
    bus.subscribe(COMMAND_OUTCOMES, lambda o: seen.append(("command", None)), stage="test")

    feed = CommandFeed(kernel, store, poll_s=600)

    def operator() -> None:
        assert clock.waiting.wait(60)
        store.post_command(_kill())
        feed.wake()

    helper = threading.Thread(target=operator)
    feed.start()
    helper.start()
    try:
        kernel.run()
    finally:
        helper.join(60)
        feed.stop()
    command = seen.index(("command", None))
    assert seen[command - 1] == ("bar", bars[5].ts)
    assert seen[command + 1] == ("bar", slow), "dispatched before the bar it waited for"
