"""The read routes on a paper session still running (written through ``SqlStore``, as the
engine writes it): it is the default run, its open positions are marked at their last
price, its metrics are computed from its snapshots and follow it as it goes on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.api.reads_support import get, when
from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.domain.enums import Direction, Mode, Timeframe
from tradebot.domain.messages import ClosedTrade, PortfolioSnapshot
from tradebot.domain.position import Position
from tradebot.domain.run import RunInfo
from tradebot.service import Services
from tradebot.service.queries import Queries

PAPER = "paper-session-1"
START = datetime(2015, 7, 1, 13, 30, tzinfo=UTC)
CURVE = [  # (time, equity): two snapshots a day
    (datetime(2015, 7, 1, 14, tzinfo=UTC), Decimal(50_100)),
    (datetime(2015, 7, 1, 20, tzinfo=UTC), Decimal(50_200)),
    (datetime(2015, 7, 2, 14, tzinfo=UTC), Decimal(49_900)),
    (datetime(2015, 7, 2, 20, tzinfo=UTC), Decimal(50_300)),
]


def _snapshot(ts: datetime, equity: Decimal) -> PortfolioSnapshot:
    return PortfolioSnapshot(
        ts=ts,
        cash=equity - Decimal(875),
        positions_value=Decimal(875),
        equity=equity,
        open_positions=2,
        realised_pnl=Decimal(100),
    )


def _trade(n: int, exit_ts: datetime, pnl: Decimal) -> ClosedTrade:
    return ClosedTrade(
        id=f"trd-{n}",
        symbol="AAPL",
        quantity=Decimal(10),
        entry_ts=START,
        exit_ts=exit_ts,
        entry_price=Decimal(100),
        exit_price=Decimal(100) + pnl / 10,
        pnl=pnl,
        commission=Decimal(0),
        return_pct=float(pnl / 1000),
        hold_seconds=(exit_ts - START).total_seconds(),
        strategies=("momentum",),
        entry_decision_id=f"dec-in-{n}",
        exit_decision_id=f"dec-out-{n}",
    )


@pytest.fixture
def paper(settings: Settings) -> Iterator[SqlStore]:
    """A paper session in progress beside the seeded backtest (its store still open)."""
    store = SqlStore(settings.store.url)
    store.start_run(
        RunInfo(
            id=PAPER,
            mode=Mode.PAPER,
            started_at=START,
            strategy="momentum,news",
            symbols=("AAPL", "MSFT"),
            timeframe=Timeframe.M5,
            config={"settings": {"broker": {"initial_cash": "50000"}}},
        )
    )
    for ts, equity in CURVE:
        store.record_snapshot(PAPER, _snapshot(ts, equity))
    store.record_closed_trade(PAPER, _trade(1, CURVE[1][0], Decimal(120)))
    store.record_closed_trade(PAPER, _trade(2, CURVE[3][0], Decimal(-20)))
    apple = Position(
        symbol="AAPL",
        quantity=Decimal(10),
        avg_price=Decimal(100),
        opened_at=START,
        entry_decision_id="dec-a",
        last_price=Decimal(110),
        strategies=("momentum",),
    )
    short = Position(
        symbol="MSFT",
        quantity=Decimal(5),
        avg_price=Decimal(50),
        opened_at=START,
        entry_decision_id="dec-m",
        last_price=Decimal(45),
        side=Direction.SHORT,
        strategies=("news",),
    )
    store.save_positions(PAPER, [apple, short])
    store.save_risk_state(PAPER, CURVE[-1][0], {"reserve": {"balance": "250"}})
    store.flush()
    try:
        yield store
    finally:
        store.close()


def test_a_running_paper_session_is_the_default_run(
    client: TestClient, headers: dict[str, str], paper: SqlStore, seeded_run: str
) -> None:
    # the backtest started later (it was recorded today), but a session running wins
    assert get(client, headers, "/api/portfolio")["run_id"] == PAPER
    assert get(client, headers, "/api/portfolio", run_id=seeded_run)["run_id"] == seeded_run


def test_the_run_the_engine_host_drives_comes_first(
    services: Services, paper: SqlStore, seeded_run: str
) -> None:
    assert Queries(services.db, lambda: seeded_run).portfolio().run_id == seeded_run
    assert Queries(services.db, lambda: None).portfolio().run_id == PAPER


def test_positions_are_marked_at_their_last_price(
    client: TestClient, headers: dict[str, str], paper: SqlStore
) -> None:
    body = get(client, headers, "/api/portfolio/positions")
    aapl, msft = body["items"]
    assert [(p["symbol"], p["side"]) for p in (aapl, msft)] == [("AAPL", "long"), ("MSFT", "short")]
    assert Decimal(aapl["market_value"]) == 1100 and Decimal(aapl["unrealized_pnl"]) == 100
    assert aapl["unrealized_pnl_pct"] == pytest.approx(0.1)
    assert Decimal(msft["market_value"]) == -225 and Decimal(msft["unrealized_pnl"]) == 25
    assert msft["unrealized_pnl_pct"] == pytest.approx(0.1)
    assert aapl["strategies"] == ["momentum"] and when(aapl["opened_at"]) == START


def test_portfolio_of_the_session(
    client: TestClient, headers: dict[str, str], paper: SqlStore
) -> None:
    body = get(client, headers, "/api/portfolio")
    assert when(body["as_of"]) == CURVE[-1][0] and Decimal(body["equity"]) == 50_300
    assert Decimal(body["daily_pnl"]) == 100  # against yesterday's last snapshot, 50,200
    assert body["daily_pnl_pct"] == pytest.approx(100 / 50_200)
    assert Decimal(body["reserve"]) == 250
    assert Decimal(body["buying_power"]) == Decimal(body["cash"]) - 250
    assert body["initial_equity"] == "50000"


def test_metrics_of_a_running_session_are_computed_and_follow_it(
    client: TestClient, headers: dict[str, str], paper: SqlStore
) -> None:
    body = get(client, headers, "/api/trading/metrics")
    assert body["source"] == "computed" and when(body["as_of"]) == CURVE[-1][0]
    assert body["total_return"] == pytest.approx(50_300 / 50_000 - 1)
    assert body["max_drawdown"] == pytest.approx(49_900 / 50_200 - 1)
    assert (body["trades"], body["wins"], body["losses"]) == (2, 1, 1)
    assert body["win_rate"] == 0.5 and body["profit_factor"] == pytest.approx(6.0)
    assert Decimal(body["net_pnl"]) == 100
    later = datetime(2015, 7, 3, 20, tzinfo=UTC)
    paper.record_snapshot(PAPER, _snapshot(later, Decimal(51_000)))
    paper.flush()
    moved = get(client, headers, "/api/trading/metrics")
    assert when(moved["as_of"]) == later
    assert moved["total_return"] == pytest.approx(51_000 / 50_000 - 1)


def test_daily_history_of_the_session(
    client: TestClient, headers: dict[str, str], paper: SqlStore
) -> None:
    rows = get(client, headers, "/api/trading/metrics/history")["items"]
    assert [r["day"] for r in rows] == ["2015-07-02", "2015-07-01"]
    second, first = rows
    assert Decimal(first["equity"]) == 50_200 and Decimal(second["equity"]) == 50_300
    assert first["daily_return"] == pytest.approx(50_200 / 50_000 - 1)
    assert second["daily_return"] == pytest.approx(50_300 / 50_200 - 1)
    assert first["drawdown"] == 0.0 and second["drawdown"] == 0.0
    assert (first["trades_closed"], Decimal(first["realised_pnl"])) == (1, Decimal(120))
    assert (second["trades_closed"], Decimal(second["realised_pnl"])) == (1, Decimal(-20))
