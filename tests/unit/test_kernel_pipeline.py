"""The kernel end to end on fakes: fills after decisions, one decision per signal, ids."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np

from tests.kernel_builder import START, make_kernel, wave
from tradebot.domain import DecisionAction, OrderSide, OrderStatus
from tradebot.engine.ids import client_order_id, decision_id
from tradebot.risk.calendar import exchange_sessions, local_day
from tradebot.testing import MemoryStore, RecordingBroker, bars_from_closes


def _bars() -> list:
    return bars_from_closes("AAA", wave(120), START, gap=0.37) + bars_from_closes(
        "BBB", wave(120, phase=2.0, base=50), START, gap=-0.21
    )


def test_every_signal_gets_exactly_one_decision_with_a_reason_and_trace() -> None:
    store = MemoryStore()
    make_kernel(_bars(), store=store).run()
    assert store.signals, "the wave must produce signals"
    assert {d.signal_id for d in store.decisions.values()} == set(store.signals)
    assert len(store.decisions) == len(store.signals)
    for decision in store.decisions.values():
        assert decision.id == decision_id(decision.signal_id)
        assert decision.reason
        assert decision.trace, "every decision lists the checks it made"
        if decision.action is DecisionAction.SKIP:
            assert not all(step.passed for step in decision.trace) or decision.side is None


def test_orders_derive_from_decisions_and_fills_from_orders() -> None:
    store = MemoryStore()
    make_kernel(_bars(), store=store).run()
    acted = {d.id: d for d in store.decisions.values() if d.action is DecisionAction.ACT}
    assert acted
    assert len(store.orders) == len(acted)
    for coid, order in store.orders.items():
        assert coid == client_order_id(order.decision_id)
        assert order.decision_id in acted
        assert order.quantity == acted[order.decision_id].quantity
    for fill in store.fills.values():
        assert fill.client_order_id in store.orders
        assert store.orders[fill.client_order_id].status is OrderStatus.FILLED


def test_an_order_decided_on_bar_t_fills_at_the_open_of_bar_t_plus_1() -> None:
    store = MemoryStore()
    bars = _bars()
    make_kernel(bars, store=store).run()
    by_key = {(b.symbol, b.ts): b for b in bars}
    assert store.fills
    sessions = exchange_sessions(START.date(), START.date() + timedelta(days=200))
    for fill in store.fills.values():
        order = store.orders[fill.client_order_id]
        decided_at = store.decisions[order.decision_id].ts
        bar = by_key[(fill.symbol, decided_at + timedelta(days=1))]  # the next bar
        sign = 1 if fill.side is OrderSide.BUY else -1
        assert fill.price == Decimal(repr(bar.open)) * (1 + sign * Decimal("0.0005"))
        # stamped with the time of that bar's open: 9:30 New York on a session day (the
        # bars close at 16:00), 24 hours before its close on the other days of the series
        session = sessions.session(local_day(bar.ts))
        opened = session.open if session is not None else bar.ts - timedelta(days=1)
        assert fill.ts == opened and decided_at <= fill.ts < bar.ts
        assert session is None or fill.ts > decided_at


def test_the_ledger_matches_its_fills_at_every_snapshot() -> None:
    store = MemoryStore()
    bars = _bars()
    kernel = make_kernel(bars, store=store)
    kernel.run()
    assert store.snapshots
    cash = Decimal(100_000)
    fills = sorted(store.fills.values(), key=lambda f: f.ts)
    held: dict[str, Decimal] = {}
    closes = {(b.symbol, b.ts): b.close for b in bars}
    last_close: dict[str, float] = {}
    for ts in sorted(store.snapshots):
        # market orders only: each fill is at a bar's open, after the close before it (its
        # stamp equals that close where the series has no gap between bars)
        for fill in [f for f in fills if f.ts < ts]:
            fills.remove(fill)
            sign = 1 if fill.side is OrderSide.BUY else -1
            cash -= sign * fill.quantity * fill.price + fill.commission
            held[fill.symbol] = held.get(fill.symbol, Decimal(0)) + sign * fill.quantity
        for symbol in ("AAA", "BBB"):
            if (symbol, ts) in closes:
                last_close[symbol] = closes[(symbol, ts)]
        snap = store.snapshots[ts]
        value = sum((q * Decimal(repr(last_close[s])) for s, q in held.items() if q), Decimal(0))
        assert snap.cash == cash
        assert snap.positions_value == value
        assert snap.equity == snap.cash + snap.positions_value
        assert snap.open_positions == sum(1 for q in held.values() if q)


def test_closed_trades_sum_to_the_realised_profit() -> None:
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store)
    result = kernel.run()
    assert result.trades
    assert sum(t.pnl for t in result.trades) == kernel.portfolio.realised_pnl
    for trade in result.trades:
        assert trade.exit_ts > trade.entry_ts
        expected = (trade.exit_price - trade.entry_price) * trade.quantity - trade.commission
        assert abs(trade.pnl - expected) < Decimal("1e-6")


def test_max_open_positions_is_never_exceeded() -> None:
    bars = []
    for i in range(6):
        bars += bars_from_closes(f"S{i}", wave(80, phase=i * 0.1), START)
    store = MemoryStore()
    make_kernel(bars, store=store).run()
    assert max(s.open_positions for s in store.snapshots.values()) <= 3
    reasons = {d.reason for d in store.decisions.values()}
    assert "max open positions reached (3)" in reasons


def test_the_same_backtest_twice_gives_identical_trades() -> None:
    first = make_kernel(_bars(), run_id="r").run()
    second = make_kernel(_bars(), run_id="r").run()
    assert first.trades
    assert first.trades == second.trades
    assert np.array_equal(first.equity, second.equity)


def test_a_resubmitted_decision_never_doubles_the_order() -> None:
    broker = RecordingBroker()
    store = MemoryStore()
    kernel = make_kernel(_bars(), store=store, broker=broker)
    kernel.run()
    decision = next(d for d in store.decisions.values() if d.action is DecisionAction.ACT)
    kernel.orders.on_decision(decision)  # a redelivery after the fact
    ids = [o.client_order_id for o in broker.submitted]
    assert len(ids) == len(set(ids))


def test_bars_before_the_period_only_warm_the_strategy_up() -> None:
    bars = _bars()
    trade_from = bars[40].ts
    full, warmed = MemoryStore(), MemoryStore()
    make_kernel(bars, store=full).run()
    result = make_kernel(bars, store=warmed, trade_from=trade_from).run()
    assert result.counts["warmup_bars"] == 2 * 40
    assert result.equity_ts.min() == np.datetime64(trade_from.replace(tzinfo=None), "ns")
    assert all(s.ts >= trade_from for s in warmed.signals.values())
    assert min(warmed.snapshots) >= trade_from
    # warmed-up indicators give the same opinions as a run that saw all bars
    later = {(s.symbol, s.ts, s.direction) for s in full.signals.values() if s.ts >= trade_from}
    assert later == {(s.symbol, s.ts, s.direction) for s in warmed.signals.values()}
