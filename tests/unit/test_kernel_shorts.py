"""Short selling through the whole kernel with the reference decision stage."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from tests.kernel_builder import RULES, START, make_kernel, wave
from tradebot.domain.enums import Direction, OrderSide
from tradebot.testing import MemoryStore, RecordingBroker, bars_from_closes


def _run(allow_short: bool) -> tuple[MemoryStore, RecordingBroker, object]:
    store = MemoryStore()
    broker = RecordingBroker(
        commission_rate=Decimal("0.001"), initial_cash=Decimal(100_000), allow_short=allow_short
    )
    kernel = make_kernel(
        bars_from_closes("AAA", wave(200), START),
        store=store,
        broker=broker,
        rules=replace(RULES, allow_short=allow_short),
    )
    kernel.run()
    return store, broker, kernel


def test_short_signals_enter_and_long_signals_cover_when_shorting_is_on() -> None:
    store, broker, kernel = _run(allow_short=True)
    trades = list(store.closed_trades.values())
    shorts = [t for t in trades if t.direction is Direction.SHORT]
    assert len(shorts) >= 2  # a LONG signal covers the short; the next SHORT enters again
    for trade in shorts:
        entry = store.decisions[trade.entry_decision_id]
        exit_ = store.decisions[trade.exit_decision_id]
        assert (entry.side, exit_.side) == (OrderSide.SELL, OrderSide.BUY)
        assert trade.entry_ts < trade.exit_ts
    # the venue's books and the kernel's ledger agree to the cent
    assert broker.account.cash == kernel.portfolio.cash  # type: ignore[attr-defined]


def test_without_shorting_a_short_signal_while_flat_is_skipped() -> None:
    store, _, _ = _run(allow_short=False)
    assert all(t.direction is Direction.LONG for t in store.closed_trades.values())
    skipped = [d for d in store.decisions.values() if d.reason.startswith("no long position")]
    assert skipped
