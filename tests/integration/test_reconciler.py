"""A live session restarted after a crash: the book restored from a real store (SQLite and
PostgreSQL), reconciled with a venue that went on without it (the paper venue answering
the ReconcilingBroker's questions). Nothing is resubmitted; what cannot be explained
halts trading and is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.adapters.sql.store import SqlStore
from tradebot.domain.bar import Bar
from tradebot.domain.enums import (
    DecisionAction,
    Direction,
    Mode,
    OrderSide,
    OrderStatus,
    OrderType,
    Timeframe,
)
from tradebot.domain.messages import Order, Signal, TradingDecision
from tradebot.domain.run import RunInfo
from tradebot.engine.bus import MemoryBus
from tradebot.engine.clock import SimClock
from tradebot.engine.ids import client_order_id
from tradebot.engine.live_restore import RestoredBook, restore_live_book
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.reconcile import NEVER_REACHED, Reconciliation
from tradebot.engine.reconciler import RECONCILE_HOLD, Reconciler
from tradebot.engine.topics import FILLS
from tradebot.testing import bars_from_closes
from tradebot.testing.reconciling import ReconcilingPaperBroker

RUN = "live-1"
T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
CASH = Decimal(100_000)
MINUTE = timedelta(minutes=1)


@dataclass
class Session:
    """One process's worth of the live book: store, order manager, ledger on a bus."""

    store: SqlStore
    orders: OrderManager
    portfolio: Portfolio
    gate: OperatorGate
    clock: SimClock

    def reconciler(self, broker: ReconcilingPaperBroker, **options: object) -> Reconciler:
        return Reconciler(
            RUN,
            broker,
            self.orders,
            self.portfolio,
            self.store,
            self.gate,
            self.clock,
            **options,  # type: ignore[arg-type]
        )


def _session(url: str, broker: ReconcilingPaperBroker, at: datetime) -> Session:
    store = SqlStore(url)
    store.start_run(
        RunInfo(
            id=RUN,
            mode=Mode.LIVE,
            started_at=T0,
            strategy="momentum",
            symbols=("AAA",),
            timeframe=Timeframe.M1,
        )
    )
    bus, clock, gate = MemoryBus(), SimClock(at), OperatorGate()
    orders = OrderManager(run_id=RUN, broker=broker, store=store, bus=bus, clock=clock, gate=gate)
    portfolio = Portfolio(CASH, orders.context)
    orders.holding = portfolio.held_quantity
    ledger = PortfolioStage(
        run_id=RUN, portfolio=portfolio, store=store, bus=bus, snapshot_interval_s=86_400
    )
    bus.subscribe(FILLS, ledger.on_fill, stage=PortfolioStage.stage)
    return Session(store, orders, portfolio, gate, clock)


@pytest.fixture
def broker() -> Iterator[ReconcilingPaperBroker]:
    venue = ReconcilingPaperBroker(initial_cash=CASH, bar_opens=lambda bar: bar.ts)
    yield venue
    venue.release()  # a test that held its answers lets the waiting threads go


def _decision(n: int, quantity: str = "10", ts: datetime = T0) -> TradingDecision:
    return TradingDecision(
        id=f"dec-{n:04d}",
        signal_id=f"sig-{n:04d}",
        ts=ts,
        symbol="AAA",
        action=DecisionAction.ACT,
        side=OrderSide.BUY,
        quantity=Decimal(quantity),
        reference_price=Decimal(10),
        reason="test",
        strategies=("momentum",),
    )


def _record(session: Session, decision: TradingDecision) -> None:
    """The signal and the decision an order of ``decision`` needs recorded first."""
    signal = Signal(
        id=decision.signal_id,
        ts=decision.ts,
        symbol=decision.symbol,
        direction=Direction.LONG,
        strength=1.0,
        confidence=1.0,
        price=10.0,
    )
    session.store.record_signal(RUN, signal)
    session.store.record_decision(RUN, decision)


def _order(decision: TradingDecision) -> Order:
    return Order(
        client_order_id=client_order_id(decision.id),
        decision_id=decision.id,
        symbol=decision.symbol,
        side=OrderSide.BUY,
        quantity=decision.quantity,
        created_at=decision.ts,
    )


def _bars(start: datetime, *closes: float) -> list[Bar]:
    return bars_from_closes("AAA", list(closes), start, MINUTE, timeframe=Timeframe.M1)


def _restart(
    url: str, broker: ReconcilingPaperBroker, at: datetime, **options: object
) -> tuple[Session, RestoredBook, Reconciliation]:
    session = _session(url, broker, at)
    restored = restore_live_book(session.store, RUN, session.orders, session.portfolio)
    outcome = session.reconciler(broker, **options).run(restored.last_fill_at)
    return session, restored, outcome


def test_crash_after_recording_before_sending_closes_the_order_never_resends(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    before = _session(db_url, broker, T0)
    decision = _decision(1)
    _record(before, decision)
    before.store.record_order(RUN, _order(decision))  # recorded; the process died here
    before.store.close()

    after, restored, outcome = _restart(db_url, broker, T0 + 5 * MINUTE)
    coid = client_order_id(decision.id)
    assert restored.open_orders == (coid,)
    assert outcome.ok, outcome.unexplained
    assert outcome.never_reached == (coid,)
    [recorded] = after.store.orders(RUN)
    assert (recorded.status, recorded.reason) == (OrderStatus.REJECTED, NEVER_REACHED)
    assert broker.lookup(coid) is None  # the venue never saw it: nothing was resent
    assert after.gate.halted is None
    [row] = after.store.reconciliations(RUN)
    assert (row.ok, row.applied) == (True, 1)
    after.store.close()


def test_crash_after_the_venue_accepted_takes_the_venues_status(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    before = _session(db_url, broker, T0)
    decision = _decision(2)
    _record(before, decision)
    before.store.record_order(RUN, _order(decision))
    broker.submit(_order(decision))  # the venue took it; the reply died with the process
    before.store.close()

    after, _, outcome = _restart(db_url, broker, T0 + 5 * MINUTE)
    assert outcome.ok, outcome.unexplained
    assert outcome.never_reached == ()
    [recorded] = after.store.orders(RUN)
    assert recorded.status is OrderStatus.ACCEPTED
    assert recorded.broker_order_id == "paper-" + recorded.client_order_id
    assert after.orders.open_orders() == [recorded]
    after.store.close()


def test_fills_missed_while_down_are_applied_once_and_the_ledger_matches_the_venue(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    before = _session(db_url, broker, T0)
    first, second = _decision(3), _decision(4, "5", T0 + MINUTE)
    _record(before, first)
    _record(before, second)
    before.orders.on_decision(first)
    for report in broker.on_bar(_bars(T0 + MINUTE, 10.0)[0]):  # fills while up
        before.orders.on_report(report)
    before.clock.advance_to(T0 + MINUTE)
    before.orders.on_decision(second)
    before.store.close()  # crash: the venue goes on alone
    for bar in _bars(T0 + 2 * MINUTE, 11.0, 12.0):
        broker.on_bar(bar)  # its reports reach nobody

    after, restored, outcome = _restart(db_url, broker, T0 + 10 * MINUTE)
    assert restored.fills == 1
    assert outcome.ok, outcome.unexplained
    assert [r.trade_id for r in outcome.reports if r.is_fill] == [f"{client_order_id(second.id)}-1"]
    ledger = {s: p.signed_quantity for s, p in after.portfolio.positions.items()}
    assert ledger == dict(broker.positions()) == {"AAA": Decimal(15)}
    assert after.portfolio.cash == broker.account()["cash"]
    assert len(after.store.fills(RUN)) == len(broker.executions) == 2
    again = after.reconciler(broker).run(restored.last_fill_at)
    assert again.ok
    assert again.applied == 0
    assert [r.applied for r in after.store.reconciliations(RUN)] == [1, 0]
    after.store.close()


def test_an_external_position_is_adopted(db_url: str, broker: ReconcilingPaperBroker) -> None:
    _session(db_url, broker, T0).store.close()
    broker.trade_outside("ZZZ", Decimal(5), Decimal(20), T0 + MINUTE)

    after, _, outcome = _restart(db_url, broker, T0 + 5 * MINUTE, policy="adopt")
    assert outcome.ok, outcome.unexplained
    held = after.portfolio.positions["ZZZ"]
    assert (held.signed_quantity, held.avg_price, held.strategies) == (
        Decimal(5),
        Decimal(20),
        ("external",),
    )
    assert after.portfolio.cash == broker.account()["cash"] == CASH - 100
    [row] = after.store.reconciliations(RUN)
    assert row.external_positions == {"ZZZ": {"quantity": "5", "adopted": True, "avg_price": "20"}}
    assert after.gate.halted is None
    after.store.close()


def test_an_external_position_under_halt_keeps_trading_halted(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    _session(db_url, broker, T0).store.close()
    broker.trade_outside("ZZZ", Decimal(5), Decimal(20), T0 + MINUTE)
    manual = Order(
        client_order_id="manual-order",
        decision_id="by-hand",
        symbol="ZZZ",
        side=OrderSide.SELL,
        type=OrderType.LIMIT,
        quantity=Decimal(5),
        limit_price=Decimal(30),
        created_at=T0,
    )
    broker.submit(manual)

    after, _, outcome = _restart(db_url, broker, T0 + 5 * MINUTE, policy="halt")
    assert not outcome.ok
    hold = after.gate.halted
    assert hold is not None
    assert hold.kind == RECONCILE_HOLD
    assert "ZZZ" not in after.portfolio.positions
    [row] = after.store.reconciliations(RUN)
    assert row.ok is False
    assert [o["client_order_id"] for o in row.external_orders] == ["manual-order"]
    assert row.external_positions["ZZZ"]["adopted"] is False
    after.store.close()


def test_an_unexplained_difference_halts_and_is_persisted(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    _session(db_url, broker, T0).store.close()
    assert broker.paper.account.cash is not None
    broker.paper.account.cash += Decimal(50)  # a deposit the book knows nothing of

    after, _, outcome = _restart(db_url, broker, T0 + 5 * MINUTE, policy="adopt")
    assert not outcome.ok
    assert after.gate.halted is not None
    [row] = after.store.reconciliations(RUN)
    assert row.ok is False
    assert any("cash differs" in line for line in row.differences)
    after.store.close()


def test_a_venue_that_does_not_answer_leaves_the_session_halted(
    db_url: str, broker: ReconcilingPaperBroker
) -> None:
    _session(db_url, broker, T0).store.close()
    broker.hold_answers()

    after, _, outcome = _restart(db_url, broker, T0 + 5 * MINUTE, timeout_s=0.2)
    assert not outcome.ok
    assert "did not answer" in outcome.halt_reason()
    assert after.gate.halted is not None
    [row] = after.store.reconciliations(RUN)
    assert row.ok is False
    after.store.close()
