"""The kernel's live path: the same stages fed by a pushed stream (a live feed's thread,
the kernel's inbox) decide exactly what a backtest of the same bars decides; repeated,
reordered and late bars are dropped, never traded twice; a stop ends the session."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from tests.kernel_builder import START, make_kernel, wave
from tradebot.adapters.clock import LiveClock
from tradebot.domain import Bar, Position, Timeframe
from tradebot.engine import Kernel
from tradebot.engine.live_sources import LiveSources
from tradebot.testing import MemoryStore, RecordingBroker
from tradebot.testing.live import ScriptedLiveFeed

WARMUP = 20


def _bars(n: int = 120) -> list[Bar]:
    bars = []
    for symbol, phase in (("AAA", 0.0), ("BBB", 1.7)):
        for i, close in enumerate(wave(n, phase=phase)):
            ts = START + timedelta(minutes=i)
            bars.append(Bar(symbol, Timeframe.M1, ts, close, close + 0.5, close - 0.5, close, 1e6))
    bars.sort(key=lambda b: (b.ts, b.symbol))
    return bars


def _broker() -> RecordingBroker:
    return RecordingBroker(commission_rate=Decimal("0.001"), slippage_bps=Decimal(5))


def _records(store: MemoryStore) -> tuple[list[object], ...]:
    def plain(items: object) -> list[object]:
        return sorted(items, key=repr)  # type: ignore[call-overload,no-any-return]

    return (
        plain(store.decisions.values()),
        plain(store.orders.values()),
        plain(store.fills.values()),
    )


def _live_kernel(stream: list[Bar], past: list[Bar], store: MemoryStore) -> Kernel:
    template = make_kernel(past + stream, store=store, broker=_broker(), timeframe=Timeframe.M1)
    kernel: Kernel | None = None

    def drained() -> None:
        assert kernel is not None
        kernel.stop_when_drained()

    feed = ScriptedLiveFeed(past, stream, done=drained)
    spec = replace(
        template.spec,
        clock=LiveClock(),
        feed=feed,
        live=LiveSources(feed=feed, warmup_from=START - timedelta(days=1)),
    )
    kernel = Kernel(spec)
    return kernel


def test_live_stream_decides_like_the_backtest_of_the_same_bars() -> None:
    bars = _bars()
    cut = WARMUP * 2  # two symbols a minute
    simulated = MemoryStore()
    make_kernel(
        bars,
        store=simulated,
        broker=_broker(),
        timeframe=Timeframe.M1,
        trade_from=bars[cut].ts,
        batch=False,
    ).run()

    live = MemoryStore()
    result = _live_kernel(bars[cut:], bars[:cut], live).run()

    assert result.status == "stopped"
    assert result.counts["warmup_bars"] == cut
    assert result.counts["bars"] == len(bars) - cut
    decisions, orders, fills = _records(live)
    assert fills, "the scripted stream makes the strategy trade"
    assert (decisions, orders, fills) == _records(simulated)


def test_repeated_reordered_and_late_bars_are_dropped_once() -> None:
    bars = _bars(80)
    cut = WARMUP * 2
    clean = MemoryStore()
    _live_kernel(bars[cut:], bars[:cut], clean).run()

    noisy_stream = list(bars[cut:])
    noisy_stream.insert(10, bars[cut + 3])  # a repeat of a bar already pushed
    noisy_stream.insert(30, bars[cut + 1])  # a late bar of an earlier bar time
    noisy_stream.insert(5, bars[cut - 2])  # a bar the warm-up history already had
    noisy = MemoryStore()
    result = _live_kernel(noisy_stream, bars[:cut], noisy).run()

    assert result.counts["bars"] == len(bars) - cut
    assert _records(noisy) == _records(clean)


class _PositionSaves(MemoryStore):
    """A memory store that keeps every save of the open positions, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.saves: list[int] = []

    def save_positions(self, run_id: str, positions: Sequence[Position]) -> None:
        super().save_positions(run_id, positions)
        self.saves.append(len(positions))


def test_a_run_in_real_time_saves_its_open_positions_as_they_change() -> None:
    """The API and the dashboard read the book from the store while the run goes on; a
    backtest (instant clock) still saves it once, at its end."""
    bars = _bars()
    cut = WARMUP * 2
    live = _PositionSaves()
    _live_kernel(bars[cut:], bars[:cut], live).run()
    assert len(live.saves) > 1 and max(live.saves) > 0, live.saves

    backtest = _PositionSaves()
    make_kernel(bars, store=backtest, broker=_broker(), timeframe=Timeframe.M1).run()
    assert len(backtest.saves) == 1
