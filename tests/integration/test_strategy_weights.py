"""Ensemble weights live in the store: equal defaults, learned weights kept, history kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tradebot.adapters.sql.store import SqlStore


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def db_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param)
    return url


def test_new_strategies_get_equal_weights_and_learned_ones_are_kept(db_url: str) -> None:
    with SqlStore(db_url) as store:
        assert store.load_weights(["momentum", "macd"]) == {"momentum": 0.5, "macd": 0.5}
        store.set_strategy_weight("momentum", 0.7, datetime(2020, 1, 1, tzinfo=UTC), "learned")
        weights = store.load_weights(["momentum", "news"])
        assert weights["momentum"] == pytest.approx(0.7)
        assert weights["news"] == pytest.approx((0.7 + 0.5) / 2), "newcomer gets the mean"
        assert store.load_weights(["macd"]) == {"macd": 0.5}
