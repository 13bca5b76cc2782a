"""The learning engine's records in SQL (SQLite and PostgreSQL): outcomes read back equal
and once, adjustments move the strategies table in the same transaction unless shadow,
and a learning backtest through the runtime records its weight path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tradebot.adapters.sql.store import SqlStore
from tradebot.config import Settings
from tradebot.domain import Mode, Timeframe
from tradebot.domain.errors import StoreError
from tradebot.domain.run import RunInfo
from tradebot.learning import TradeOutcome, WeightChange
from tradebot.runtime.wiring import RunRequest, build_kernel

T0 = datetime(2021, 3, 1, 21, tzinfo=UTC)


def _run(store: SqlStore, run_id: str = "r1") -> None:
    store.start_run(
        RunInfo(
            id=run_id,
            mode=Mode.BACKTEST,
            started_at=T0,
            strategy="a,b",
            symbols=("AAA",),
            timeframe=Timeframe.D1,
        )
    )


def _outcome(i: int) -> TradeOutcome:
    return TradeOutcome(
        trade_id=f"t{i}",
        symbol="AAA",
        entry_decision_id=f"d{i}",
        signal_id=f"s{i}" if i % 2 else None,
        closed_at=T0 + timedelta(days=i),
        pnl=Decimal("12.3456789"),
        return_pct=0.0123,
        hold_seconds=86_400.0,
        risk_adjusted=0.61,
        contributions={"a": 0.4, "b": -0.1},
        direction=1 if i % 2 else -1,
    )


def _change(name: str, old: float, new: float, clipped: str | None = None) -> WeightChange:
    return WeightChange(
        strategy=name, old=old, new=new, reward=0.25, outcomes=21, clipped_by=clipped, policy="ema"
    )


def test_outcomes_read_back_equal_and_once(db_url: str) -> None:
    with SqlStore(db_url, batch_size=100) as store:
        _run(store)
        for i in (2, 1, 1):
            store.record_trade_outcome("r1", _outcome(i))
        assert store.trade_outcomes("r1") == [_outcome(1), _outcome(2)]
        assert store.trade_outcomes("other") == []


def test_an_adjustment_moves_the_strategies_table_with_its_record(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _run(store)
        store.seed_strategies(["a", "b"])
        store.record_weight_adjustment("r1", _change("a", 0.5, 0.6, "max_shift"), T0, apply=True)
        store.record_weight_adjustment("r1", _change("b", 0.5, 0.4), T0, apply=True)
        assert store.strategy_weights() == pytest.approx({"a": 0.6, "b": 0.4})
        (first, second) = store.weight_adjustments(run_id="r1")
        assert (first.strategy, first.old, first.new, first.clipped_by) == (
            "a",
            0.5,
            0.6,
            "max_shift",
        )
        assert (first.reward, first.outcomes, first.policy, first.shadow) == (
            0.25,
            21,
            "ema",
            False,
        )
        assert first.ts == T0 and second.strategy == "b"
        assert [a.strategy for a in store.weight_adjustments(strategy="b")] == ["b"]


def test_a_shadow_or_unapplied_adjustment_leaves_the_weights_alone(db_url: str) -> None:
    with SqlStore(db_url) as store:
        _run(store)
        store.seed_strategies(["a", "b"])
        store.record_weight_adjustment("r1", _change("a", 0.5, 0.9), T0, shadow=True, apply=True)
        store.record_weight_adjustment("r1", _change("a", 0.5, 0.8), T0, apply=False)
        assert store.strategy_weights() == {"a": 0.5, "b": 0.5}
        assert [a.shadow for a in store.weight_adjustments()] == [True, False]


def test_a_reset_belongs_to_no_run_and_a_naive_time_is_refused(db_url: str) -> None:
    with SqlStore(db_url) as store:
        store.seed_strategies(["a"])
        store.record_weight_adjustment(None, _change("a", 0.3, 1.0), T0, apply=True)
        (reset,) = store.weight_adjustments()
        assert reset.run_id is None and store.strategy_weights() == {"a": 1.0}
        with pytest.raises(StoreError):
            store.record_weight_adjustment(None, _change("a", 1.0, 0.5), T0.replace(tzinfo=None))


def test_a_learning_backtest_records_outcomes_and_its_weight_path(sqlite_url: str) -> None:
    settings = Settings(
        store={"url": sqlite_url},
        risk={"engine": "reference"},
        learning={"enabled": True, "min_trades": 2, "max_shift": 0.2},
    )
    request = RunRequest(
        symbols=("AAPL", "MSFT"),
        start=datetime(2019, 1, 1, tzinfo=UTC),
        end=datetime(2020, 12, 31, tzinfo=UTC),
        strategies=("momentum", "macd", "mean_reversion"),
    )
    with SqlStore(sqlite_url, batch_size=500) as store:
        kernel = build_kernel(settings, request, store)
        result = kernel.run()
        run_id = result.run_id
        outcomes = store.trade_outcomes(run_id)
        path = store.weight_adjustments(run_id=run_id)
        weights_after = store.strategy_weights()
    assert len(outcomes) == len(result.trades) > 0
    assert {o.trade_id for o in outcomes} == {t.id for t in result.trades}
    assert path, "two trades a strategy: the weights must have moved"
    assert not any(a.shadow for a in path)
    final = result.metrics["final_weights"]
    assert sum(final.values()) == pytest.approx(1.0)
    # a backtest keeps its learned weights to itself: the next run starts where this one did
    assert weights_after == pytest.approx(dict.fromkeys(final, 1 / 3))
