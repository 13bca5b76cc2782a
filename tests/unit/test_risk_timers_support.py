"""Helpers for the risk stage's timer and operator tests: minute and daily bars on real
XNYS sessions, a strategy that says what it is told when it is told, and a backtest of the
kernel with the risk engine on a simulated clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tradebot.backtest.metrics import summarise
from tradebot.domain import Bar, Mode, Timeframe
from tradebot.domain.enums import Direction, OrderSide
from tradebot.domain.messages import TradingDecision
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, SimClock
from tradebot.engine.daily_summary import DAILY_SUMMARIES, DailySummary
from tradebot.engine.kernel_spec import KernelSpec, RunOptions
from tradebot.engine.risk_duties import Duty
from tradebot.engine.risk_setup import RiskSetup
from tradebot.engine.risk_stage import RiskStage
from tradebot.risk import RiskConfig, RiskEngine, exchange_sessions
from tradebot.risk.config import GradualEntryRules
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import FixedSentiment, ListFeed, MemoryStore, RecordingBroker

NY = ZoneInfo("America/New_York")
CALENDAR = exchange_sessions(date(2021, 1, 1), date(2021, 6, 30))
TUESDAY, FRIDAY, MONDAY = date(2021, 3, 2), date(2021, 3, 5), date(2021, 3, 8)
SINGLE = RiskConfig(gradual=GradualEntryRules(enabled=False))
TICK = timedelta(microseconds=1)


def ny(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NY).astimezone(UTC)


def minutes(
    symbol: str,
    day: date,
    first: tuple[int, int],
    last: tuple[int, int],
    price: Callable[[datetime], float] = lambda ts: 100.0,
    spread: float = 1.0,
) -> list[Bar]:
    """Minute bars labelled by their close, ``first`` to ``last`` (New York) inclusive."""
    ts, end, bars = ny(day, *first), ny(day, *last), []
    while ts <= end:
        p = price(ts)
        bars.append(Bar(symbol, Timeframe.M1, ts, p, p + spread, p - spread, p, 1e5))
        ts += timedelta(minutes=1)
    return bars


@dataclass
class Script:
    """Says what it is told at the bar times it is told (a strategy for tests)."""

    plan: Mapping[datetime, Direction]

    name = "script"
    warmup_period = 0

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        direction = self.plan.get(bar.ts)
        return None if direction is None else Opinion(direction, 0.9, 0.7, "scripted")

    def reset(self) -> None:
        pass


@dataclass
class ScriptFactory:
    plans: Mapping[str, Mapping[datetime, Direction]]
    name: str = "script"
    warmup_period: int = 0

    def __call__(self, symbol: str) -> Script:
        return Script(self.plans.get(symbol, {}))


@dataclass
class RunRecord:
    kernel: Kernel
    store: MemoryStore
    summaries: list[DailySummary] = field(default_factory=list)

    @property
    def stage(self) -> RiskStage:
        stage = self.kernel.decisions
        assert isinstance(stage, RiskStage)
        return stage

    def sells(self) -> list[TradingDecision]:
        found = [d for d in self.store.decisions.values() if d.side is OrderSide.SELL]
        return sorted(found, key=lambda d: d.ts)

    def counts(self) -> dict[Duty, int]:
        duties = self.stage.duties
        assert duties is not None
        return dict(duties.counts)


def run_kernel(
    bars: Sequence[Bar],
    plans: Mapping[str, Mapping[datetime, Direction]],
    *,
    config: RiskConfig = SINGLE,
    run_until: datetime | None = None,
    strategy: str = "script",
    before: Callable[[Kernel], None] | None = None,
    **setup: Any,
) -> RunRecord:
    """Run ``bars`` through a kernel whose strategy says ``plans[symbol][bar time]``;
    ``before(kernel)`` is called just before the run (to post commands, hold the gate);
    ``setup`` goes to the :class:`RiskSetup`."""
    store, bus = MemoryStore(), MemoryBus()
    engine = RiskEngine(config, calendar=CALENDAR)
    spec = KernelSpec(
        run=RunInfo(
            id="r",
            mode=Mode.BACKTEST,
            started_at=bars[0].ts,
            strategy=strategy,
            symbols=tuple(sorted({b.symbol for b in bars})),
            timeframe=bars[0].timeframe,
        ),
        clock=SimClock(),
        feed=ListFeed(bars),
        broker=RecordingBroker(),
        bus=bus,
        store=store,
        strategies=[ScriptFactory(plans, name=strategy)],
        sentiment=FixedSentiment(),
        initial_cash=Decimal(100_000),
        summarise=summarise,
        decide=RiskSetup(engine, CALENDAR, **setup),
        options=RunOptions(run_until=run_until),
    )
    run = RunRecord(Kernel(spec), store)
    bus.subscribe(DAILY_SUMMARIES, run.summaries.append, stage="test")
    if before is not None:
        before(run.kernel)
    run.kernel.run()
    return run


def records(store: MemoryStore) -> tuple[Any, ...]:
    """Everything a run stored; snapshots by content (an event between two bar times — a
    timer — stamps the day's snapshot with its own time: the ledger's rule)."""
    snapshots = [{**vars(s), "ts": None} for _, s in sorted(store.snapshots.items())]
    return (
        store.signals,
        store.decisions,
        store.orders,
        store.fills,
        store.closed_trades,
        snapshots,
        store.risk_events,
        store.risk_states,
    )


# --- daily bars --------------------------------------------------------------------------
SESSIONS = [CALENDAR.session(date(2021, 2, 1) + timedelta(days=i)) for i in range(80)]
CLOSES = [s.close for s in SESSIONS if s is not None]


def daily_path() -> tuple[list[Bar], dict[str, dict[datetime, Direction]]]:
    """An entry at bar 15, trailed to breakeven at 17 and stopped out by the review at 18."""
    path = [(100.0, 101.0, 99.0, 100.0)] * 17 + [
        (100.0, 105.5, 99.5, 105.2),
        (104.0, 104.5, 99.5, 99.8),
        *[(99.0, 100.0, 98.0, 99.0)] * 5,
    ]
    bars = [
        Bar("KO", Timeframe.D1, CLOSES[i], o, h, lo, c, 1e6) for i, (o, h, lo, c) in enumerate(path)
    ]
    return bars, {"KO": {CLOSES[15]: Direction.LONG, CLOSES[20]: Direction.LONG}}


def flat_daily(n: int) -> list[Bar]:
    """``n`` daily KO bars at 100 (ATR 2): an entry's stop (96) and target (108) stay away."""
    return [Bar("KO", Timeframe.D1, CLOSES[i], 100.0, 101.0, 99.0, 100.0, 1e6) for i in range(n)]
