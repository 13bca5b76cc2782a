"""Builds a kernel wired with the fakes from ``tradebot.testing``, for the kernel tests; and
runs the peers' standard case set-up (all-in, one position, next-open fills, 0.1 % fee, no
slippage, one symbol) for the tests that compare the kernel with a vectorised reference."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from tradebot.adapters.parquet import ParquetReplayFeed
from tradebot.backtest.metrics import summarise
from tradebot.data import sample_data_dir
from tradebot.domain import Bar, Mode, Timeframe
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, SimClock, SizingRules
from tradebot.engine.kernel_spec import KernelSpec, RunOptions
from tradebot.ports import Broker, Bus, MarketFeed, NewsSource, SentimentModel, Store
from tradebot.signals.ensemble import DEFAULT_THRESHOLD
from tradebot.strategies import MomentumFactory, MomentumParams, make_factory
from tradebot.strategies.base import StrategyFactory
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
    strategies: Sequence[StrategyFactory] | None = None,
    strategy: str = "momentum",
    timeframe: Timeframe = Timeframe.D1,
    feed: MarketFeed | None = None,
    initial_cash: Decimal = Decimal(100_000),
    **options: Any,
) -> Kernel:
    """Momentum 3/8 over ``bars`` unless ``strategies`` says otherwise; ``feed`` replaces the
    plain list feed over ``bars`` (the run's symbols still come from ``bars``); ``options``
    are :class:`RunOptions` fields (``threshold``, ``batch``, ...), or ``risk`` (a
    RiskSetup instead of ``rules``), ``resume`` or ``news_seen`` of the spec."""
    symbols = tuple(dict.fromkeys(b.symbol for b in bars))
    run = RunInfo(
        id=run_id,
        mode=Mode.BACKTEST,
        started_at=START,
        strategy=strategy,
        symbols=symbols,
        timeframe=timeframe,
    )
    spec_fields = {k: options.pop(k) for k in ("risk", "resume", "news_seen") if k in options}
    risk = spec_fields.pop("risk", None)
    spec = KernelSpec(
        run=run,
        clock=SimClock(),
        feed=feed if feed is not None else ListFeed(bars),
        broker=broker or RecordingBroker(commission_rate=Decimal("0.001"), slippage_bps=Decimal(5)),
        bus=bus or MemoryBus(),
        store=store if store is not None else MemoryStore(),
        strategies=[MomentumFactory(MomentumParams(fast=3, slow=8))]
        if strategies is None
        else strategies,
        sentiment=sentiment or FixedSentiment(),
        initial_cash=initial_cash,
        summarise=summarise,
        decide=risk if risk is not None else rules,
        news=news,
        options=RunOptions(trade_from=trade_from, **options),
        **spec_fields,
    )
    return Kernel(spec)


FEE = 0.001
CASH = 100_000.0
STANDARD_START = datetime(2020, 1, 1, tzinfo=UTC)
STANDARD_RULES = SizingRules(
    position_fraction=Decimal(1),
    max_open_positions=1,
    cash_buffer=Decimal(0),
    commission_rate=Decimal(str(FEE)),
    all_in=True,
)


@dataclass(frozen=True)
class Trades:
    """The kernel's fills on the standard case: bar indices and prices, and final equity."""

    entries: list[int]
    entry_prices: list[float]
    exits: list[int]
    exit_prices: list[float]
    equity: float


def kernel_trades(
    strategy: str,
    params: dict[str, Any],
    open_: np.ndarray,
    close: np.ndarray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch: bool = True,
) -> Trades:
    """Runs ``strategy`` on one symbol's minute bars built from ``open_``/``close`` the way
    ``tradebot backtest ... risk.sizing=all_in`` runs the standard case."""
    times = [STANDARD_START + timedelta(minutes=i) for i in range(len(close))]
    bars = [
        Bar("SYM", Timeframe.M1, ts, o, max(o, c), min(o, c), c, 1.0)
        for ts, o, c in zip(times, open_.tolist(), close.tolist(), strict=True)
    ]
    store = MemoryStore()
    kernel = make_kernel(
        bars,
        store=store,
        broker=RecordingBroker(commission_rate=Decimal(str(FEE))),
        rules=STANDARD_RULES,
        run_id="std",
        strategies=[make_factory(strategy, params)],
        strategy=strategy,
        timeframe=Timeframe.M1,
        initial_cash=Decimal(str(CASH)),
        threshold=threshold,
        batch=batch,
    )
    result = kernel.run()
    # The reference counts a fill by the bar it happens on. A fill is stamped with when it
    # happens: here (market orders only) at a bar's open, one minute before the close its
    # bar is labelled with.
    index = {ts - timedelta(minutes=1): i for i, ts in enumerate(times)}
    fills = sorted(store.fills.values(), key=lambda f: f.ts)
    buys = [f for f in fills if f.side.value == "buy"]
    sells = [f for f in fills if f.side.value == "sell"]
    return Trades(
        [index[f.ts] for f in buys],
        [float(f.price) for f in buys],
        [index[f.ts] for f in sells],
        [float(f.price) for f in sells],
        result.equity[-1],
    )


def tick_series(seed: int, n: int, flat: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Closes on a 0.01 grid (exact SMA ties come up), opens near the previous close; with
    ``flat`` a fraction of the closes unchanged (RSI's flat-market rule and exact MACD ties
    come up too)."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 0.05, n)
    if flat:
        steps = np.round(steps, 2) * (rng.random(n) >= flat)
    close = np.maximum(np.round(50 + np.cumsum(steps), 2), 0.01)
    open_ = np.maximum(
        np.round(np.concatenate(([50.0], close[:-1])) + rng.normal(0, 0.01, n), 2), 0.01
    )
    return open_, close


def daily(symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """Opens and closes of ``symbol``'s daily bars shipped in the package."""
    feed = ParquetReplayFeed(sample_data_dir("equities_daily"), [symbol], Timeframe.D1)
    frame = feed.frame(symbol)
    return frame["open"].to_numpy(), frame["close"].to_numpy()
