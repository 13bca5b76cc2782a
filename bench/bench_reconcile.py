"""Reconciliation time for a large book: 1,000 open orders and 10,000 missed fills.

Two figures, median of ``--repeats`` runs each:

- ``reconcile`` — the pure comparison (:func:`tradebot.engine.reconcile.reconcile`): every
  order's lookup, the fills checked against the order state machine, positions and cash;
- ``Reconciler.run`` — the whole step inside a session: the venue asked (an in-process
  venue that answers at once, each call still on its bounded thread), the 10,000 fills
  applied through the order manager (recorded in a MemoryStore, published on ``fills``, applied
  by the portfolio stage), the ledger checked against the venue.

    .venv/bin/python bench/bench_reconcile.py --repeats 3
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tradebot.domain.enums import DecisionAction, OrderSide, OrderStatus, ReportKind
from tradebot.domain.execution import ExecutionReport
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import Order, TradingDecision
from tradebot.engine.bus import MemoryBus
from tradebot.engine.clock import SimClock
from tradebot.engine.ids import client_order_id
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.reconcile import OurBook, VenueBook, reconcile
from tradebot.engine.reconciler import Reconciler
from tradebot.engine.topics import FILLS
from tradebot.testing import MemoryStore

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
ORDERS, FILLS_PER_ORDER, QUANTITY = 1_000, 10, Decimal(100)
CASH = Decimal(10_000_000)
PRICE = Decimal("10.5")


class BigVenue:
    """Accepts every order; then says each one has filled ``FILLS_PER_ORDER`` × 1 unit."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.fills: list[ExecutionReport] = []

    def submit(self, order: Order) -> Order:
        accepted = order.evolve(
            status=OrderStatus.ACCEPTED, broker_order_id="v-" + order.client_order_id
        )
        self.orders[order.client_order_id] = accepted
        return accepted

    def cancel(self, client_order_id: str) -> Order | None:
        return self.orders.get(client_order_id)

    def lookup(self, client_order_id: str) -> Order | None:
        return self.orders.get(client_order_id)

    def trade_all(self) -> None:
        for k, (coid, order) in enumerate(self.orders.items()):
            for n in range(FILLS_PER_ORDER):
                self.fills.append(
                    ExecutionReport(
                        kind=ReportKind.PARTIALLY_FILLED,
                        client_order_id=coid,
                        ts=T0 + timedelta(seconds=k * FILLS_PER_ORDER + n + 1),
                        trade_id=f"{coid}-{n}",
                        quantity=Decimal(1),
                        price=PRICE,
                        symbol=order.symbol,
                        side=order.side,
                    )
                )
            self.orders[coid] = order.evolve(status=OrderStatus.PARTIALLY_FILLED)

    def open_orders(self) -> Sequence[Order]:
        return list(self.orders.values())

    def positions(self) -> Mapping[str, Decimal]:
        return {"AAA": Decimal(ORDERS * FILLS_PER_ORDER)}

    def account(self) -> Mapping[str, Decimal]:
        cash = CASH - ORDERS * FILLS_PER_ORDER * PRICE
        return {"cash": cash, "buying_power": cash, "equity": CASH}

    def fills_since(self, ts: datetime) -> Sequence[ExecutionReport]:
        return [f for f in self.fills if f.ts >= ts]

    def instruments(self, symbols: Collection[str]) -> dict[str, Instrument]:
        return {}


def _session() -> tuple[Reconciler, BigVenue, OrderManager]:
    venue, store, bus, clock = BigVenue(), MemoryStore(), MemoryBus(), SimClock(T0)
    gate = OperatorGate()
    orders = OrderManager(
        run_id="bench", broker=venue, store=store, bus=bus, clock=clock, gate=gate
    )
    portfolio = Portfolio(CASH, orders.context)
    ledger = PortfolioStage(
        run_id="bench", portfolio=portfolio, store=store, bus=bus, snapshot_interval_s=86_400
    )
    bus.subscribe(FILLS, ledger.on_fill, stage=PortfolioStage.stage)
    for k in range(ORDERS):
        orders.on_decision(
            TradingDecision(
                id=f"dec-{k:06d}",
                signal_id=f"sig-{k:06d}",
                ts=T0,
                symbol="AAA",
                action=DecisionAction.ACT,
                side=OrderSide.BUY,
                quantity=QUANTITY,
                reference_price=PRICE,
                reason="bench",
            )
        )
    venue.trade_all()
    clock.advance_to(T0 + timedelta(hours=8))
    return Reconciler("bench", venue, orders, portfolio, store, gate, clock), venue, orders


def _pure_inputs(venue: BigVenue, orders: OrderManager) -> tuple[OurBook, VenueBook]:
    states = {}
    for k in range(ORDERS):
        tracked = orders.tracked(client_order_id(f"dec-{k:06d}"))
        assert tracked is not None
        states[tracked.order.client_order_id] = tracked.state
    book = OurBook(states, frozenset(), {}, CASH, None)
    view = VenueBook(
        lookups=dict(venue.orders),
        open_orders=venue.open_orders(),
        positions=venue.positions(),
        account=venue.account(),
        fills=venue.fills,
    )
    return book, view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    pure, full = [], []
    for _ in range(args.repeats):
        reconciler, venue, orders = _session()
        book, view = _pure_inputs(venue, orders)
        started = time.perf_counter()
        outcome = reconcile(book, view, T0 + timedelta(hours=8))
        pure.append(time.perf_counter() - started)
        assert outcome.ok, outcome.unexplained
        assert outcome.applied == ORDERS * FILLS_PER_ORDER
        started = time.perf_counter()
        done = reconciler.run()
        full.append(time.perf_counter() - started)
        assert done.ok, done.unexplained
        assert done.applied == ORDERS * FILLS_PER_ORDER
    print(f"{ORDERS:,} open orders, {ORDERS * FILLS_PER_ORDER:,} missed fills")
    print(f"reconcile (pure)  median {statistics.median(pure):.3f} s  of {args.repeats}")
    print(f"Reconciler.run    median {statistics.median(full):.3f} s  of {args.repeats}")


if __name__ == "__main__":
    main()
