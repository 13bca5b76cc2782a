"""A paper replay on minute bars with a venue latency of three seconds: each fill is recorded
at its own time, and the ledger, the snapshots and the risk engine's state change then —
between two bars — not at the next bar. Checked from the store (SQLite, durable writes as a
paper session makes them), against the same replay without latency."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tradebot.adapters.paper.broker import PaperBroker
from tradebot.adapters.paper.latency import VenueLatency
from tradebot.adapters.sql.store import SqlStore
from tradebot.backtest.metrics import summarise
from tradebot.domain import Bar, Mode, OrderSide, Timeframe
from tradebot.domain.enums import DecisionAction, Direction
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, PacedClock
from tradebot.engine.kernel_spec import KernelSpec, RunOptions
from tradebot.engine.risk_stage import RiskSetup
from tradebot.risk import RiskConfig, RiskEngine, exchange_sessions
from tradebot.risk.config import GradualEntryRules
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import FixedSentiment, ListFeed

LATENCY = timedelta(seconds=3)
OPEN = datetime(2021, 2, 1, 14, 30, tzinfo=UTC)  # 9:30 New York
CALENDAR = exchange_sessions(date(2021, 1, 25), date(2021, 2, 5))
ENTRY_BAR = 30  # 10:00-10:01: inside the 9:45-15:45 entry window


def _bars(n: int = 60) -> list[Bar]:
    bars = []
    for i in range(n):
        price = 50 + 0.01 * i
        ts = OPEN + timedelta(minutes=i + 1)
        bars.append(Bar("KO", Timeframe.M1, ts, price, price + 0.05, price - 0.05, price, 1e5))
    return bars


@dataclass
class _Once:
    """Goes long once, at bar ``ENTRY_BAR``."""

    seen: int = 0
    name = "once"
    warmup_period = 0

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        index, self.seen = self.seen, self.seen + 1
        return Opinion(Direction.LONG, 0.9, 0.7, "scripted") if index == ENTRY_BAR else None

    def reset(self) -> None:
        self.seen = 0


@dataclass
class _OnceFactory:
    name: str = "once"
    warmup_period: int = 0

    def __call__(self, symbol: str) -> _Once:
        return _Once()


def _replay(url: str, run_id: str, latency: timedelta | None) -> None:
    clock = PacedClock(speed=1e9)  # a paper replay, paced (at this speed, at once)
    venue = PaperBroker(
        latency=None if latency is None else VenueLatency(latency, clock),
        initial_cash=Decimal(100_000),
    )
    config = RiskConfig(gradual=GradualEntryRules(enabled=False))
    with SqlStore(url) as store:
        spec = KernelSpec(
            run=RunInfo(
                id=run_id,
                mode=Mode.PAPER,
                started_at=OPEN,
                strategy="once",
                symbols=("KO",),
                timeframe=Timeframe.M1,
            ),
            clock=clock,
            feed=ListFeed(_bars()),
            broker=venue,
            bus=MemoryBus(),
            store=store,
            strategies=[_OnceFactory()],
            sentiment=FixedSentiment(),
            initial_cash=Decimal(100_000),
            summarise=summarise,
            decide=RiskSetup(RiskEngine(config, calendar=CALENDAR), CALENDAR),
            options=RunOptions(snapshot_interval_s=60),
        )
        Kernel(spec).run()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('latency') / 'paper.db'}"
    _replay(url, "late", LATENCY)
    _replay(url, "prompt", None)
    with SqlStore(url) as store:
        return {
            run: {
                "decisions": store.decisions(run),
                "fills": store.fills(run),
                "snapshots": store.snapshots(run),
                "state": store.load_risk_state(run),
            }
            for run in ("late", "prompt")
        }


def _entry(run: Mapping[str, Any]) -> tuple[datetime, Any]:
    (decision,) = [
        d for d in run["decisions"] if d.action is DecisionAction.ACT and d.side is OrderSide.BUY
    ]
    (fill,) = [f for f in run["fills"] if f.side is OrderSide.BUY]
    return decision.ts, fill


def _in_minute(run: Mapping[str, Any], start: datetime) -> list[Any]:
    """The run's snapshots in the minute from ``start``."""
    return [s for s in run["snapshots"] if start <= s.ts < start + timedelta(minutes=1)]


def test_each_fill_is_recorded_at_its_own_time(recorded: Mapping[str, Any]) -> None:
    decided, fill = _entry(recorded["late"])
    assert fill.ts == decided + LATENCY  # three seconds after the decision, not at a bar
    decided, prompt = _entry(recorded["prompt"])
    assert prompt.ts == decided  # at the next bar's open: the decision's own close


def test_the_ledger_and_its_snapshot_change_when_the_fill_lands(
    recorded: Mapping[str, Any],
) -> None:
    decided, fill = _entry(recorded["late"])
    late = [
        s for s in recorded["late"]["snapshots"] if decided <= s.ts < decided + timedelta(minutes=1)
    ]
    (snapshot,) = late  # the minute of the decision, taken after the fill three seconds in
    assert snapshot.ts == fill.ts
    assert snapshot.open_positions == 1 and snapshot.cash < Decimal(100_000)
    prompt = [
        s
        for s in recorded["prompt"]["snapshots"]
        if decided <= s.ts < decided + timedelta(minutes=1)
    ]
    assert [s.open_positions for s in prompt] == [0]  # without latency it fills with the next bar


def test_the_risk_state_took_the_fill_at_its_time(recorded: Mapping[str, Any]) -> None:
    _, fill = _entry(recorded["late"])
    state = recorded["late"]["state"].state
    assert datetime.fromisoformat(state["stops"]["KO"]["opened_at"]) == fill.ts


def test_nothing_else_differs_but_the_times(recorded: Mapping[str, Any]) -> None:
    late, prompt = recorded["late"], recorded["prompt"]
    assert [(d.action, d.side, d.symbol) for d in late["decisions"]] == [
        (d.action, d.side, d.symbol) for d in prompt["decisions"]
    ]
