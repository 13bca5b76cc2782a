"""Studies on the real kernel, in-process: argmax, walk-forward, determinism, reports."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.optional import require
from tradebot.backtest.optimize import StudyConfig, parse_space, run_study, settings_payload
from tradebot.backtest.optimize.report import study_html, study_payload
from tradebot.config import load_settings
from tradebot.data import sample_data_dir
from tradebot.domain.errors import ConfigError

SPACE = ["fast=5:10:5", "slow=10:30:10"]  # six combinations, one invalid (fast=10, slow=10)


def _config(**changes: Any) -> StudyConfig:
    base: dict[str, Any] = {
        "strategy": "sma_cross",
        "space": parse_space(SPACE),
        "symbols": ("AAPL",),
        "data_dir": sample_data_dir("equities_daily"),
        "settings": settings_payload(load_settings()),
        "start": datetime(2019, 1, 1, tzinfo=UTC),
        "end": datetime(2020, 12, 31, tzinfo=UTC),
    }
    return StudyConfig(**(base | changes))


def test_grid_skips_invalid_and_picks_the_argmax() -> None:
    result = run_study(_config())
    assert len(result.evaluations) == 5
    assert sum(result.skipped.values()) == 1
    scores = [e["score"] for e in result.evaluations]
    assert all(s is not None for s in scores)
    best = result.best
    assert best is not None
    assert best["score"] == max(scores)
    assert all(e["start"] == "2019-01-02" for e in result.evaluations)  # first bar of 2019


def test_walk_forward_picks_in_sample_argmax_and_tests_it_after() -> None:
    result = run_study(_config(walk_forward=2, train_fraction=0.6, objective="total_return"))
    assert len(result.folds) == 2
    for f in result.folds:
        mine = [e for e in result.evaluations if e["fold"] == f.fold.index]
        assert len(mine) == 5
        top = max(mine, key=lambda e: e["score"])
        assert f.best_params == top["params"]
        assert f.train_score == top["score"]
        assert f.test is not None
        assert f.test["start"] > mine[0]["end"]  # out-of-sample strictly after in-sample
        assert f.test_score == f.test["metrics"]["total_return"]
    assert result.folds[0].fold.test.last < result.folds[1].fold.train.first
    oos = result.out_of_sample
    assert oos is not None
    first, second = (f.test_score for f in result.folds)
    assert first is not None and second is not None
    chained = (1 + first) * (1 + second) - 1
    assert oos["total_return"] == pytest.approx(chained, rel=1e-9)


def test_random_search_is_deterministic() -> None:
    space = parse_space(["fast=3:12:1", "slow=15:40:5"])
    first = run_study(_config(space=space, method="random", trials=4, seed=3))
    again = run_study(_config(space=space, method="random", trials=4, seed=3))
    assert study_payload(first)["evaluations"] == study_payload(again)["evaluations"]
    assert len(first.evaluations) == 4  # fast < slow always holds in this space


def test_optuna_run_is_seeded() -> None:
    require("optuna")
    space = parse_space(["fast=3:12:1", "slow=15:40:5"])
    first = run_study(_config(space=space, method="optuna", trials=5, seed=1))
    again = run_study(_config(space=space, method="optuna", trials=5, seed=1))
    assert 1 <= len(first.evaluations) <= 5
    assert study_payload(first)["evaluations"] == study_payload(again)["evaluations"]


def test_optuna_missing_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(ConfigError, match="optuna") as info:
        run_study(_config(method="optuna", trials=2))
    assert "tradebot[research]" in info.value.one_line()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "annealing"}, "unknown method"),
        ({"objective": "alpha"}, "unknown objective"),
        ({"walk_forward": 400}, "walk-forward folds"),
    ],
)
def test_bad_study_settings_are_config_errors(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run_study(_config(**changes))


def test_html_report_is_self_contained() -> None:
    result = run_study(_config(walk_forward=2))
    page = study_html(result)
    assert page.startswith("<!doctype html>")
    assert "<svg" in page and "Walk-forward" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script" not in page
