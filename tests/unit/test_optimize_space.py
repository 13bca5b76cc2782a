"""Parameter specs, grid enumeration, seeded sampling, folds and ranking (no kernel runs)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tradebot.backtest.optimize import best_index, make_folds, parse_axis, parse_space, ranked
from tradebot.backtest.optimize.space import Validity
from tradebot.domain.errors import ConfigError


def test_int_range_is_inclusive() -> None:
    axis = parse_axis("fast=5:20:5")
    assert axis.name == "fast"
    assert axis.kind == "int"
    assert axis.values == (5, 10, 15, 20)


def test_float_range_has_no_drift() -> None:
    axis = parse_axis("threshold=0.1:0.5:0.1")
    assert axis.kind == "float"
    assert axis.values == (0.1, 0.2, 0.3, 0.4, 0.5)


def test_stop_off_the_step_is_not_passed() -> None:
    assert parse_axis("n=1:10:4").values == (1, 5, 9)


def test_fixed_values_keep_their_type() -> None:
    assert parse_axis("slow=30").values == (30,)
    assert parse_axis("k=2.5").values == (2.5,)
    assert parse_axis("mode=fast").values == ("fast",)


@pytest.mark.parametrize(
    "spec",
    [
        "fast",
        "fast=",
        "=1:2:1",
        "fast=5:20",
        "fast=a:20:5",
        "fast=5:20:0",
        "fast=20:5:1",
        "x=1:2:-1",
    ],
)
def test_bad_specs_are_one_line_config_errors(spec: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_axis(spec)
    line = info.value.one_line()
    assert "\n" not in line
    assert "--param" in line


def test_a_name_given_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="twice"):
        parse_space(["fast=5", "fast=6"])


def test_grid_enumerates_the_product_in_order() -> None:
    space = parse_space(["fast=5:10:5", "slow=20:40:10"])
    grid = list(space.grid())
    assert space.size == len(grid) == 6
    assert grid[0] == {"fast": 5, "slow": 20}
    assert grid[1] == {"fast": 5, "slow": 30}
    assert grid[-1] == {"fast": 10, "slow": 40}
    assert [space.combination(i) for i in range(space.size)] == grid


def test_random_sampling_is_seeded_and_distinct() -> None:
    space = parse_space(["fast=1:50:1", "slow=2:200:2"])
    first = space.sample(30, seed=7)
    assert first == space.sample(30, seed=7)
    assert first != space.sample(30, seed=8)
    assert len({tuple(p.items()) for p in first}) == 30
    assert all(p in list(space.grid()) for p in first[:3])


def test_sampling_more_than_the_space_returns_all_of_it() -> None:
    space = parse_space(["fast=5:10:5"])
    assert sorted(p["fast"] for p in space.sample(10, seed=1)) == [5, 10]


def test_validity_uses_the_strategy_model() -> None:
    validity = Validity("sma_cross")
    assert validity.check({"fast": 5, "slow": 20}) is None
    reason = validity.check({"fast": 20, "slow": 20})
    assert reason is not None and "fast" in reason
    with pytest.raises(ConfigError, match="no parameter 'fst'"):
        validity.require_known(parse_space(["fst=1:2:1"]))
    with pytest.raises(ConfigError, match="unknown strategy"):
        Validity("no_such_strategy")


def _days(n: int) -> list[date]:
    start = date(2020, 1, 1)
    return [start + timedelta(days=i) for i in range(n)]


@pytest.mark.parametrize(("total", "n", "fraction"), [(100, 4, 0.7), (101, 3, 0.5), (10, 5, 0.9)])
def test_folds_cover_the_period_without_overlap(total: int, n: int, fraction: float) -> None:
    days = _days(total)
    folds = make_folds(days, n, fraction)
    assert len(folds) == n
    covered: list[date] = []
    for fold in folds:
        assert fold.train.first <= fold.train.last < fold.test.first <= fold.test.last
        train = [d for d in days if fold.train.first <= d <= fold.train.last]
        test = [d for d in days if fold.test.first <= d <= fold.test.last]
        assert len(train) == fold.train_days >= 1
        assert len(test) == fold.test_days >= 1
        covered += train + test
    assert covered == days  # consecutive, no gaps, no overlap


def test_too_many_folds_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="folds"):
        make_folds(_days(5), 3, 0.7)
    with pytest.raises(ConfigError, match="train-fraction"):
        make_folds(_days(50), 2, 1.0)


def _result(value: float | None) -> dict[str, object]:
    return {"error": None, "metrics": {"sharpe": value}}


def test_best_is_the_first_argmax_and_undefined_ranks_last() -> None:
    results = [_result(0.5), _result(None), _result(1.5), _result(float("nan")), _result(1.5)]
    assert best_index(results, "sharpe") == 2
    assert ranked(results, "sharpe") == [2, 4, 0, 1, 3]
    assert best_index([_result(None)], "sharpe") is None
