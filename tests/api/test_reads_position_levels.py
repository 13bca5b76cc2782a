"""What the portfolio view shows of each open position beyond its value: its stop-loss and
take-profit (the risk engine's current levels from the run's saved risk state, else those
its entry decision set), its sector (the bundled table's) and whether it is a micro trade.

The entries are the seeded backtest's own decisions (what the engine really wrote); the
open positions and the risk state are saved into that run through ``SqlStore`` as a run
still going would save them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.reads_support import get
from tradebot.adapters.sql.models import DecisionRow, RiskStateRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.data.reference import bundled_sectors
from tradebot.domain.enums import DecisionAction, Direction, Mode, OrderSide, Timeframe
from tradebot.domain.messages import DecisionCheck, Signal, TradingDecision
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.risk.state import RiskState
from tradebot.risk.stops import StopLevels
from tradebot.service import Services

NOW = datetime(2015, 6, 30, 20, tzinfo=UTC)


def _entries(services: Services, run_id: str) -> dict[str, DecisionRow]:
    """The seeded run's first entry of each symbol that has one."""
    with services.db.connect() as connection:
        rows = connection.execute(
            select(DecisionRow)
            .where(DecisionRow.run_id == run_id, DecisionRow.action == "act")
            .where(DecisionRow.side == "buy", DecisionRow.stop_loss.is_not(None))
            .order_by(DecisionRow.ts)
        ).all()
    found: dict[str, Any] = {}
    for row in rows:
        found.setdefault(row.symbol, row)
    return found


def _position(symbol: str, decision_id: str, price: Decimal) -> Position:
    return Position(
        symbol=symbol,
        quantity=Decimal(3),
        avg_price=price,
        opened_at=NOW,
        entry_decision_id=decision_id,
        last_price=price,
        strategies=("momentum",),
    )


def _levels(symbol: str, entry: Decimal, stop: Decimal, target: Decimal) -> StopLevels:
    return StopLevels(
        symbol=symbol,
        entry_price=entry,
        stop_loss=stop,
        take_profit=target,
        atr=2.5,
        atr_multiplier=Decimal(1),
        reward_risk=Decimal("1.5"),
        tick=Decimal("0.01"),
        confidence=0.7,
        is_micro=True,
        opened_at=NOW,
        updated_at=NOW,
        trailing_active=True,
    )


@pytest.fixture
def open_book(settings: Settings, services: Services, seeded_run: str) -> dict[str, Any]:
    """Two open positions of the seeded run on its real entries; the first with levels
    the risk engine has trailed since (a micro trade), the second with none saved."""
    entries = _entries(services, seeded_run)
    trailed, plain = sorted(entries)[:2]
    first, second = entries[trailed], entries[plain]
    moved = _levels(
        trailed,
        first.reference_price,
        first.reference_price,  # trailed to breakeven: no longer the entry's stop
        first.take_profit + Decimal("1.25"),
    )
    state = RiskState(stops={trailed: moved})
    store = SqlStore(settings.store.url)
    try:
        store.save_positions(
            seeded_run,
            [
                _position(trailed, first.id, first.reference_price),
                _position(plain, second.id, second.reference_price),
            ],
        )
        store.save_risk_state(seeded_run, NOW, state.to_dict())
        store.flush()
    finally:
        store.close()
    return {"trailed": trailed, "plain": plain, "first": first, "second": second}


def test_levels_are_the_current_ones_else_the_entrys(
    client: TestClient,
    headers: dict[str, str],
    services: Services,
    seeded_run: str,
    open_book: dict[str, Any],
) -> None:
    items = get(client, headers, "/api/portfolio/positions", run_id=seeded_run)["items"]
    shown = {p["symbol"]: p for p in items}
    with services.db.connect() as connection:
        saved = connection.execute(
            select(RiskStateRow.state).where(RiskStateRow.run_id == seeded_run)
        ).scalar_one()["stops"]
    trailed, plain = shown[open_book["trailed"]], shown[open_book["plain"]]
    held = saved[open_book["trailed"]]
    assert Decimal(trailed["stop_loss"]) == Decimal(held["stop_loss"])
    assert Decimal(trailed["take_profit"]) == Decimal(held["take_profit"])
    assert Decimal(trailed["stop_loss"]) != open_book["first"].stop_loss  # it moved
    assert trailed["micro"] is True
    second = open_book["second"]
    assert open_book["plain"] not in saved
    assert Decimal(plain["stop_loss"]) == second.stop_loss
    assert Decimal(plain["take_profit"]) == second.take_profit
    assert plain["micro"] is False


def test_sectors_are_the_bundled_tables(
    client: TestClient, headers: dict[str, str], seeded_run: str, open_book: dict[str, Any]
) -> None:
    table = bundled_sectors()
    items = get(client, headers, "/api/portfolio/positions", run_id=seeded_run)["items"]
    assert items
    for position in items:
        assert position["sector"] == table.sector(position["symbol"])
        assert position["sector"] != "Unknown"  # the seeded symbols are all listed


PAPER = "paper-micro-1"


def _decision(n: int, symbol: str, trace: tuple[DecisionCheck, ...]) -> TradingDecision:
    return TradingDecision(
        id=f"dec-{n}",
        signal_id=f"sig-{n}",
        ts=NOW,
        symbol=symbol,
        action=DecisionAction.ACT,
        side=OrderSide.BUY,
        quantity=Decimal(3),
        reference_price=Decimal(20),
        reason="enter",
        trace=trace,
        stop_loss=Decimal(19),
        take_profit=Decimal("21.5"),
    )


def test_without_a_risk_state_the_entry_says_micro_and_unknown_symbols_are_unknown(
    client: TestClient, headers: dict[str, str], settings: Settings
) -> None:
    micro = DecisionCheck("micro-trading", True, "0 of 10 micro-trades used today")
    store = SqlStore(settings.store.url)
    try:
        store.start_run(
            RunInfo(
                id=PAPER,
                mode=Mode.PAPER,
                started_at=NOW,
                strategy="momentum",
                symbols=("ZZZZ", "AAPL", "MSFT"),
                timeframe=Timeframe.M5,
            )
        )
        for n, symbol, trace in ((1, "ZZZZ", (micro,)), (2, "AAPL", ())):
            signal = Signal(
                id=f"sig-{n}",
                ts=NOW,
                symbol=symbol,
                direction=Direction.LONG,
                strength=0.5,
                confidence=0.6,
                price=20.0,
            )
            store.record_signal(PAPER, signal)
            store.record_decision(PAPER, _decision(n, symbol, trace))
        price = Decimal(20)
        store.save_positions(
            PAPER,
            [
                _position("ZZZZ", "dec-1", price),
                _position("AAPL", "dec-2", price),
                _position("MSFT", "dec-none", price),
            ],
        )
        store.flush()
    finally:
        store.close()
    items = get(client, headers, "/api/portfolio/positions", run_id=PAPER)["items"]
    shown = {p["symbol"]: p for p in items}
    assert shown["ZZZZ"]["micro"] is True and shown["ZZZZ"]["sector"] == "Unknown"
    assert (shown["ZZZZ"]["stop_loss"], shown["ZZZZ"]["take_profit"]) == ("19", "21.5")
    assert shown["AAPL"]["micro"] is False
    assert shown["AAPL"]["sector"] == bundled_sectors().sector("AAPL")
    assert shown["MSFT"]["stop_loss"] is None and shown["MSFT"]["take_profit"] is None
    assert shown["MSFT"]["micro"] is False
