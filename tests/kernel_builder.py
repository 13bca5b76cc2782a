"""Builds a kernel wired with the fakes from ``tradebot.testing``, for the kernel tests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from tradebot.domain import Bar, Mode, Timeframe
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, SimClock, SizingRules
from tradebot.ports import Broker, Bus, NewsSource, SentimentModel, Store
from tradebot.strategies import MomentumFactory, MomentumParams
from tradebot.testing import FixedSentiment, ListFeed, MemoryStore, RecordingBroker

START = datetime(2020, 1, 2, 21, tzinfo=UTC)
RULES = SizingRules(
    position_fraction=Decimal("0.25"),
    max_open_positions=3,
    cash_buffer=Decimal("0.02"),
    commission_rate=Decimal("0.001"),
)


def wave(n: int, phase: float = 0.0, period: float = 9.0, base: float = 100.0) -> list[float]:
    """Closes that swing enough for a 3/8 SMA cross every few bars, on a 0.01 tick grid."""
    return [round(base + 10 * math.sin(i / period + phase) + 0.05 * i, 2) for i in range(n)]


def make_kernel(
    bars: Sequence[Bar],
    *,
    store: Store | None = None,
    broker: Broker | None = None,
    bus: Bus | None = None,
    news: NewsSource | None = None,
    sentiment: SentimentModel | None = None,
    rules: SizingRules = RULES,
    run_id: str = "test-run",
    trade_from: datetime | None = None,
) -> Kernel:
    symbols = tuple(dict.fromkeys(b.symbol for b in bars))
    run = RunInfo(
        id=run_id,
        mode=Mode.BACKTEST,
        started_at=START,
        strategy="momentum",
        symbols=symbols,
        timeframe=Timeframe.D1,
    )
    return Kernel(
        run=run,
        clock=SimClock(),
        feed=ListFeed(bars),
        news=news,
        broker=broker or RecordingBroker(commission_rate=Decimal("0.001"), slippage_bps=Decimal(5)),
        bus=bus or MemoryBus(),
        store=store if store is not None else MemoryStore(),
        strategies=[MomentumFactory(MomentumParams(fast=3, slow=8))],
        sentiment=sentiment or FixedSentiment(),
        rules=rules,
        initial_cash=Decimal(100_000),
        trade_from=trade_from,
    )
