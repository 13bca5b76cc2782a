"""The risk engine's state document, history records and imported earnings dates in SQL:
exact round trips on SQLite and PostgreSQL, batched or not; repeats stored once; the latest
state wins; a deleted run takes its records along."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text

from tradebot.adapters.sql.store import SqlStore
from tradebot.risk import RiskState, TierChange, TierName
from tradebot.risk.breakers import BreakerKind, BreakerTrip
from tradebot.risk.earnings import parse_earnings_csv
from tradebot.risk.events import BreakerEvent, Notice, NoticeKind, RiskEvent
from tradebot.risk.records import encode_event
from tradebot.risk.reserve import LedgerEntry, ReserveState, ReserveTrigger
from tradebot.risk.stops import StopAdjustment
from tradebot.risk.tax_lots import ClosedLot

T = datetime(2021, 3, 2, 16, tzinfo=UTC)
D = Decimal


def events() -> list[RiskEvent]:
    trip = BreakerTrip(
        BreakerKind.SINGLE_POSITION, T, T + timedelta(hours=24), D("0.08"), D("0.1012"), "XOM"
    )
    return [
        TierChange(T, TierName.MODERATE, TierName.CONSERVATIVE, "drawdown", {"drawdown": 0.16}),
        LedgerEntry(T, D("123.4567"), D("1123.4567"), ReserveTrigger.PROFIT_SIPHON, "fill-1"),
        BreakerEvent(trip, False, T),
        BreakerEvent(trip, True, T + timedelta(hours=24)),
        StopAdjustment("KO", T, "trailing", D("96.50"), D("100.50"), D("108.50"), D("108.50")),
        ClosedLot("l1", "KO", D(72), D("100.5"), T - timedelta(days=3), T, D("100.4"), D("-7.2")),
        Notice(NoticeKind.RESERVE_HIGH_WATER, T, "reserve above 30 %"),
    ]


def test_every_kind_of_risk_event_round_trips_exactly_and_once(store: SqlStore) -> None:
    store.record_risk_events("run-1", events())
    store.record_risk_events("run-1", events()[:3])  # produced again: stored once
    store.flush()
    assert store.risk_events("run-1") == sorted(events(), key=_stored_order)
    breakers = store.risk_events("run-1", kind="breaker")
    assert [e.resolved for e in breakers if isinstance(e, BreakerEvent)] == [False, True]


def _stored_order(event: RiskEvent) -> tuple[datetime, str, str]:
    record = encode_event(event)
    return record.ts, record.kind, record.id


def test_the_latest_risk_state_wins_and_round_trips(store: SqlStore) -> None:
    assert store.load_risk_state("run-1") is None
    first = RiskState(tier=TierName.AGGRESSIVE)
    second = RiskState(tier=TierName.CONSERVATIVE, reserve=ReserveState(balance=D("12.34")))
    store.save_risk_state("run-1", T, first.to_dict())
    store.save_risk_state("run-1", T + timedelta(days=1), second.to_dict())
    store.flush()
    saved = store.load_risk_state("run-1")
    assert saved is not None and saved.as_of == T + timedelta(days=1)
    assert RiskState.from_dict(json.loads(json.dumps(saved.state))) == second


def test_deleting_a_run_deletes_its_risk_records(store: SqlStore) -> None:
    store.save_risk_state("run-1", T, RiskState().to_dict())
    store.record_risk_events("run-1", events())
    store.flush()
    with store.session() as session:
        session.execute(text("delete from backtest_runs where id = 'run-1'"))
    assert store.load_risk_state("run-1") is None
    assert store.risk_events("run-1") == []


def test_imported_earnings_merge_and_keep_their_first_source(store: SqlStore) -> None:
    first = parse_earnings_csv("symbol,earnings_date\nKO,2021-04-19\nko,2021-07-21\n")
    assert store.import_earnings(first, "a.csv", T) == 2
    again = parse_earnings_csv("symbol,earnings_date\nKO,2021-04-19\nXOM,2021-04-30\n")
    assert store.import_earnings(again, "b.csv", T) == 1
    calendar = store.imported_earnings()
    assert calendar.dates == {
        "KO": (date(2021, 4, 19), date(2021, 7, 21)),
        "XOM": (date(2021, 4, 30),),
    }
    with store.session() as session:
        sources = session.execute(text("select source from earnings_dates where symbol='KO'"))
        assert {row[0] for row in sources} == {"a.csv"}
