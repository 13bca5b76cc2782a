"""SqlStore round trips every record type exactly, on SQLite and PostgreSQL, batched or not."""

from __future__ import annotations

import inspect
from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.integration import test_sql_store_samples as s
from tradebot.adapters.sql.models import PositionRow
from tradebot.adapters.sql.store import SqlStore
from tradebot.domain import Mode, Position
from tradebot.domain.errors import StoreError
from tradebot.ports import Store


def _record_everything(store: SqlStore, run_id: str = "run-1") -> None:
    store.record_article(run_id, s.article(1))
    store.record_sentiment(run_id, s.scored(1, "AAPL"))
    store.record_sentiment(run_id, s.scored(1, "MSFT", model="finbert"))
    for n in (1, 2):
        store.record_signal(run_id, s.signal(n))
    store.record_decision(run_id, s.decision(1))
    store.record_decision(run_id, s.skip_decision(2))
    store.record_order(run_id, s.order(1))
    store.record_fill(run_id, s.fill(1, 1))
    store.record_fill(run_id, s.fill(1, 2))
    store.record_closed_trade(run_id, s.closed_trade(1))
    store.record_snapshot(run_id, s.snapshot(0))
    store.record_snapshot(run_id, s.snapshot(1, cash=Decimal("99999.99")))
    store.save_positions(run_id, [s.position("AAPL"), s.position("MSFT", Decimal("7"))])


def _assert_all_utc(values: list[datetime | None]) -> None:
    for value in values:
        assert value is None or value.tzinfo is UTC


def _as_port(store: SqlStore) -> Store:
    return store  # mypy checks here that SqlStore satisfies the Store protocol


def test_the_public_surface_is_fenced_by_all() -> None:
    import tradebot.adapters.sql as package

    assert sorted(package.__all__) == package.__all__
    assert all(hasattr(package, name) for name in package.__all__)
    assert {"SqlStore", "RunRecord", "DEFAULT_URL", "upgrade", "downgrade", "current"} <= set(
        package.__all__
    )


def test_store_implements_the_port_exactly() -> None:
    for name, member in inspect.getmembers(Store, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(SqlStore, name)
        assert inspect.signature(mine) == inspect.signature(member), name


def test_every_record_type_round_trips(store: SqlStore) -> None:
    _record_everything(store)
    store.flush()

    assert store.article(s.article(1).content_hash) == s.article(1)
    assert store.sentiments(s.article(1).content_hash) == [
        s.scored(1, "AAPL"),
        s.scored(1, "MSFT", model="finbert"),
    ]
    assert store.signals("run-1") == [s.signal(1), s.signal(2)]
    assert store.decisions("run-1") == [s.decision(1), s.skip_decision(2)]
    assert store.orders("run-1") == [s.order(1)]
    assert store.fills("run-1") == [s.fill(1, 1), s.fill(1, 2)]
    assert store.closed_trades("run-1") == [s.closed_trade(1)]
    assert store.snapshots("run-1") == [s.snapshot(0), s.snapshot(1, cash=Decimal("99999.99"))]
    assert store.positions("run-1") == [s.position("AAPL"), s.position("MSFT", Decimal("7"))]

    record = store.run("run-1")
    assert record is not None
    assert record.info == s.run_info()
    assert (record.status, record.finished_at, record.metrics) == ("running", None, None)


def test_decimals_are_exact_and_identical_on_every_backend(store: SqlStore) -> None:
    store.record_signal("run-1", s.signal(1))
    store.record_decision("run-1", s.decision(1))
    store.save_positions("run-1", [s.position()])
    store.flush()

    (decision,) = store.decisions("run-1")
    assert str(decision.quantity) == "0.3"  # not 0.30000000000000004
    assert str(decision.reference_price) == "123456789012.0123456789"
    (position,) = store.positions("run-1")
    assert str(position.avg_price) == "123456789012.0123456789"
    # quantity × price keeps all 21 places (a fixed NUMERIC(28, 10) would round it)
    assert str(position.bought_notional) == "37037036703.60370370367"
    assert position.quantity + Decimal("0.7") == Decimal(1)


def test_timestamps_come_back_aware_in_utc(store: SqlStore) -> None:
    _record_everything(store)
    store.flush()

    assert s.decision(1).ts.utcoffset() != UTC.utcoffset(None)  # recorded with +05:30
    _assert_all_utc([d.ts for d in store.decisions("run-1")])
    _assert_all_utc([t.exit_ts for t in store.closed_trades("run-1")])
    _assert_all_utc([p.opened_at for p in store.positions("run-1")])
    _assert_all_utc([o.created_at for o in store.orders("run-1")])
    record = store.run("run-1")
    assert record is not None
    _assert_all_utc([record.info.started_at, record.info.data_start, record.info.data_end])
    assert store.decisions("run-1")[0].ts == s.decision(1).ts  # the same instant


def test_finish_run_flushes_then_records_status_and_metrics(store: SqlStore) -> None:
    store.record_signal("run-1", s.signal(1))
    finished = datetime(2024, 3, 2, tzinfo=UTC)
    metrics = {"sharpe": 1.25, "trades": 3, "pnl": Decimal("12.50"), "sortino": float("nan")}
    store.finish_run("run-1", "completed", finished, metrics)

    assert store.pending == 0
    assert len(store.signals("run-1")) == 1
    record = store.run("run-1")
    assert record is not None
    assert (record.status, record.finished_at) == ("completed", finished)
    # JSON holds JSON values: a Decimal becomes its exact string, NaN becomes null.
    assert record.metrics == {"sharpe": 1.25, "trades": 3, "pnl": "12.50", "sortino": None}


def test_finishing_an_unknown_run_is_a_store_error(store: SqlStore) -> None:
    with pytest.raises(StoreError, match="no run 'nope'"):
        store.finish_run("nope", "completed", s.T0, {})


def test_starting_a_known_run_again_resumes_it(store: SqlStore) -> None:
    store.finish_run("run-1", "failed", s.T0, {})
    store.start_run(s.run_info())
    record = store.run("run-1")
    assert record is not None
    assert (record.status, record.finished_at) == ("running", None)


def test_latest_run_id_by_mode(store: SqlStore) -> None:
    later = datetime(2025, 1, 1, tzinfo=UTC)
    store.start_run(s.run_info("paper-1", Mode.PAPER, at=later))
    store.start_run(s.run_info("bt-old", Mode.BACKTEST, at=datetime(2020, 1, 1, tzinfo=UTC)))

    assert store.latest_run_id() == "paper-1"
    assert store.latest_run_id(Mode.BACKTEST) == "run-1"
    assert store.latest_run_id("live") is None
    assert store.run("unknown") is None


def test_deleting_a_run_deletes_what_it_recorded(store: SqlStore) -> None:
    _record_everything(store)
    store.flush()
    with store.session() as session:
        session.execute(text("DELETE FROM backtest_runs WHERE id = 'run-1'"))
    assert store.signals("run-1") == []
    assert store.fills("run-1") == []
    assert store.positions("run-1") == []
    assert store.article(s.article(1).content_hash) == s.article(1)  # shared, kept


def test_positions_table_covers_every_position_field() -> None:
    """A field added to Position without a column would silently vanish on restart."""
    columns = set(PositionRow.__table__.columns.keys()) - {"run_id"}
    assert {f.name for f in fields(Position)} == columns


def test_save_positions_replaces_the_runs_set(store: SqlStore) -> None:
    store.start_run(s.run_info("run-2"))
    store.save_positions("run-2", [s.position("TSLA")])
    store.save_positions("run-1", [s.position("AAPL"), s.position("MSFT")])
    store.save_positions("run-1", [s.position("MSFT", Decimal("2"))])
    store.flush()
    assert store.positions("run-1") == [s.position("MSFT", Decimal("2"))]

    store.save_positions("run-1", [])
    store.flush()
    assert store.positions("run-1") == []
    assert store.positions("run-2") == [s.position("TSLA")]


def test_a_saved_position_is_a_copy(store: SqlStore) -> None:
    held = s.position()
    store.save_positions("run-1", [held])
    held.quantity = Decimal(99)  # the portfolio mutates its positions after saving
    store.flush()
    assert store.positions("run-1")[0].quantity == s.POINT_THREE


def test_strategies_are_seeded_once_with_equal_weights(store: SqlStore) -> None:
    assert store.seed_strategies(["macd", "rsi", "news", "macd"]) == ["macd", "rsi", "news"]
    assert store.strategy_weights() == {"macd": 1 / 3, "news": 1 / 3, "rsi": 1 / 3}

    store.set_strategy_weight("macd", 0.5, s.T0, "won 7 of 10")
    assert store.seed_strategies(["macd", "vwap"], weight=0.1) == ["vwap"]
    assert store.strategy_weights() == {"macd": 0.5, "news": 1 / 3, "rsi": 1 / 3, "vwap": 0.1}
    with store.session() as session:
        history = session.execute(
            text("SELECT old_weight, new_weight, reason FROM strategy_weight_history")
        ).all()
    assert [tuple(row) for row in history] == [(1 / 3, 0.5, "won 7 of 10")]

    with pytest.raises(StoreError, match="unknown strategy"):
        store.set_strategy_weight("nope", 0.1, s.T0, "")
