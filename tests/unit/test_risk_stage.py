"""The risk stage in the kernel: one persisted decision per signal with its trace, entries
with stops sent as brackets and evaluated when they will trade, exits by review decided at a
bar and filled at a later one, venue stops counted, refused entries forgotten, the day closed
and the state saved, the per-bar path, redelivery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import Decimal

from tradebot.backtest.metrics import summarise
from tradebot.domain import Bar, Mode, Timeframe
from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderStatus
from tradebot.domain.messages import TradingDecision
from tradebot.domain.run import RunInfo
from tradebot.engine import Kernel, MemoryBus, SimClock, SizingRules
from tradebot.engine.ids import client_order_id
from tradebot.engine.kernel_spec import KernelSpec
from tradebot.engine.risk_stage import RiskSetup, RiskStage
from tradebot.ports import Broker, Bus
from tradebot.risk import RiskConfig, RiskEngine, exchange_sessions
from tradebot.risk.config import GradualEntryRules
from tradebot.risk.stops import StopAdjustment
from tradebot.strategies.base import Opinion, StrategyContext
from tradebot.testing import (
    BlockListFeed,
    DuplicatingBus,
    FixedSentiment,
    MemoryStore,
    RecordingBroker,
)

CALENDAR = exchange_sessions(date(2021, 1, 1), date(2021, 6, 30))
SESSIONS = [CALENDAR.session(date(2021, 2, 1) + timedelta(days=i)) for i in range(80)]
CLOSES = [s.close for s in SESSIONS if s is not None]
OPENS = [s.open for s in SESSIONS if s is not None]
SINGLE = RiskConfig(gradual=GradualEntryRules(enabled=False))
RULES = SizingRules(Decimal("0.1"), 8, Decimal("0.02"), Decimal(0))


@dataclass
class _Script:
    """Says what it is told at the bar indices it is told (a strategy for tests)."""

    plan: Mapping[int, Direction]
    seen: int = 0

    name = "script"
    warmup_period = 0

    def on_bar(self, bar: Bar, ctx: StrategyContext) -> Opinion | None:
        index, self.seen = self.seen, self.seen + 1
        direction = self.plan.get(index)
        return None if direction is None else Opinion(direction, 0.9, 0.7, "scripted")

    def reset(self) -> None:
        self.seen = 0


@dataclass
class _ScriptFactory:
    plan: Mapping[int, Direction]
    name: str = "script"
    warmup_period: int = 0

    def __call__(self, symbol: str) -> _Script:
        return _Script(self.plan)


def _bars(path: Sequence[tuple[float, float, float, float]]) -> list[Bar]:
    return [
        Bar("KO", Timeframe.D1, CLOSES[i], o, h, lo, c, 1e6) for i, (o, h, lo, c) in enumerate(path)
    ]


def _flat(n: int, price: float = 100.0) -> list[tuple[float, float, float, float]]:
    return [(price, price + 1, price - 1, price)] * n  # ATR 2


def _kernel(
    path: Sequence[tuple[float, float, float, float]],
    plan: Mapping[int, Direction],
    *,
    store: MemoryStore,
    broker: Broker | None = None,
    bus: Bus | None = None,
    config: RiskConfig = SINGLE,
) -> Kernel:
    engine = RiskEngine(config, calendar=CALENDAR)
    spec = KernelSpec(
        run=RunInfo(
            id="r",
            mode=Mode.BACKTEST,
            started_at=CLOSES[0],
            strategy="script",
            symbols=("KO",),
            timeframe=Timeframe.D1,
        ),
        clock=SimClock(),
        feed=BlockListFeed(_bars(path)),
        broker=broker or RecordingBroker(),
        bus=bus or MemoryBus(),
        store=store,
        strategies=[_ScriptFactory(plan)],
        sentiment=FixedSentiment(),
        initial_cash=Decimal(100_000),
        summarise=summarise,
        decide=RiskSetup(engine, CALENDAR),
    )
    return Kernel(spec)


def _entries(store: MemoryStore) -> list[TradingDecision]:
    return [d for d in store.decisions.values() if d.side is OrderSide.BUY]


def test_every_signal_gets_one_decision_and_entries_trade_with_their_stops() -> None:
    store = MemoryStore()
    kernel = _kernel(_flat(24), {16: Direction.LONG, 18: Direction.LONG}, store=store)
    result = kernel.run()
    assert len(store.decisions) == len(store.signals) == 2
    entry, again = sorted(store.decisions.values(), key=lambda d: d.ts)
    assert entry.action is DecisionAction.ACT and again.action is DecisionAction.SKIP
    assert [c.check for c in entry.trace][:4] == [
        "direction",
        "circuit breakers",
        "ticker cooldown",
        "trading window",
    ]
    # a daily bar closes at 16:00; its entry is evaluated at the next window opening
    window = next(c for c in entry.trace if c.check == "trading window")
    assert window.inputs["now"] == "2021-02-25T14:45:00+00:00"  # 9:45 New York, next session
    assert entry.stop_loss == Decimal(96) and entry.take_profit == Decimal(108)  # 2 ATR, 2 R
    coid = client_order_id(entry.id)
    assert store.orders[coid + "-sl"].stop_price == Decimal(96)
    assert store.orders[coid + "-tp"].limit_price == Decimal(108)
    fill = store.fills[coid + "-1"]
    assert fill.ts > entry.ts  # filled at a later bar's open
    assert fill.ts == OPENS[CLOSES.index(entry.ts) + 1]  # 9:30 New York, the next session
    failed = next(c.check for c in again.trace if not c.passed)
    assert failed == "not already in" and result.skip_reasons == {"not already in": 1}
    assert result.counts["acted"] == 1 and result.counts["skipped"] == 1


def test_a_trailed_stop_exits_by_review_at_the_next_bar_and_frees_the_bracket() -> None:
    path = [
        *_flat(17),
        (100, 105.5, 99.5, 105.2),  # 17: past half the way to the target: trails to breakeven
        (104, 104.5, 99.5, 99.8),  # 18: closes below breakeven, above the venue's stop (96)
        (99, 100, 98, 99),  # 19: the exit fills at the open
        (99, 100, 98, 99),
    ]
    store = MemoryStore()
    kernel = _kernel(path, {15: Direction.LONG}, store=store)
    kernel.run()
    exits = [d for d in store.decisions.values() if d.side is OrderSide.SELL]
    assert len(exits) == 1
    exit_ = exits[0]
    assert exit_.ts == CLOSES[18] and exit_.reason.startswith("exit KO: stop_loss")
    assert store.signals[exit_.signal_id].sources == {"risk:stop_loss": 1.0}
    assert store.fills[client_order_id(exit_.id) + "-1"].ts == OPENS[19]  # at the open
    entry = _entries(store)[0]
    children = [store.orders[client_order_id(entry.id) + s] for s in ("-sl", "-tp")]
    assert {c.status for c in children} == {OrderStatus.CANCELLED}
    moves = [e for e in store.risk_events["r"].values() if isinstance(e, StopAdjustment)]
    assert [(m.reason, m.new_stop) for m in moves if m.reason == "trailing_breakeven"] == [
        ("trailing_breakeven", Decimal(100))
    ]
    assert kernel.portfolio.positions == {}


def test_a_stop_the_venue_executes_closes_the_engines_position_and_counts_as_a_stop() -> None:
    path = [*_flat(17), (97, 98, 90, 91)]  # 17: through the stop (96) inside the bar
    store = MemoryStore()
    kernel = _kernel(path, {15: Direction.LONG}, store=store)
    kernel.run()
    stage = kernel.decisions
    assert isinstance(stage, RiskStage)
    assert "KO" not in stage.state.stops and stage.state.lots.held("KO") == 0
    # a stop reached inside a daily bar is stamped at its close: the time it is known by
    assert stage.state.breakers.stop_hits == (CLOSES[17],)
    assert [t.pnl < 0 for t in stage.state.performance.trades] == [True]


def test_a_stop_gapped_through_counts_at_the_open_it_filled_at() -> None:
    path = [*_flat(17), (95, 96, 90, 91)]  # 17: gaps through the stop; the run ends there
    store = MemoryStore()
    kernel = _kernel(path, {15: Direction.LONG}, store=store)
    kernel.run()
    stage = kernel.decisions
    assert isinstance(stage, RiskStage)
    (fill,) = [f for f in store.fills.values() if f.client_order_id.endswith("-sl")]
    assert fill.ts == OPENS[17] and fill.price == Decimal(95)
    assert stage.state.lots.held("KO") == 0
    # counted when it happened (9:30), so the close's review finds it outside the
    # volatility breaker's 30-minute window, as it was
    assert stage.state.breakers.stop_hits == ()
    assert [t.pnl < 0 for t in stage.state.performance.trades] == [True]


def test_an_entry_the_venue_refuses_is_forgotten_and_the_symbol_is_free_again() -> None:
    store = MemoryStore()
    broker = RecordingBroker(initial_cash=Decimal(50))  # the venue holds far less cash
    plan = {15: Direction.LONG, 18: Direction.LONG}
    kernel = _kernel(_flat(24), plan, store=store, broker=broker)
    kernel.run()
    entries = sorted(
        (d for d in store.decisions.values() if d.side is OrderSide.BUY), key=lambda d: d.ts
    )
    # the second entry acted: the first, refused at the venue, no longer held the symbol
    assert [d.action for d in entries] == [DecisionAction.ACT, DecisionAction.ACT]
    statuses = [store.orders[client_order_id(d.id)].status for d in entries]
    assert statuses == [OrderStatus.REJECTED, OrderStatus.REJECTED]
    stage = kernel.decisions
    assert isinstance(stage, RiskStage) and stage.state.pending == {}


def test_each_session_closes_once_and_the_state_is_saved_with_its_time() -> None:
    store = MemoryStore()
    kernel = _kernel(_flat(20), {}, store=store)
    kernel.run()
    stage = kernel.decisions
    assert isinstance(stage, RiskStage)
    closes = stage.state.performance.closes
    assert [d for d, _ in closes] == [c.astimezone(UTC).date() for c in CLOSES[:20]][-31:]
    saved = store.risk_states["r"]
    assert saved.as_of == CLOSES[19] and saved.state == stage.state.to_dict()
    assert not kernel.uses_batch_path  # stops, ATR and stale prices need every bar


def test_redelivered_messages_change_nothing() -> None:
    plan = {15: Direction.LONG, 18: Direction.SHORT}
    once, twice = MemoryStore(), MemoryStore()
    _kernel(_flat(24), plan, store=once).run()
    _kernel(_flat(24), plan, store=twice, bus=DuplicatingBus()).run()
    assert twice.decisions == once.decisions
    assert twice.fills == once.fills
    assert twice.risk_states["r"] == once.risk_states["r"]
