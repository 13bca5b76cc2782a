"""The metrics on the harness's reference equity curve equal empyrical's published figures.

Source: ``../shared/bench/reference/metrics_equity.parquet`` (a daily equity curve of the
standard SMA-cross case, 2,520 points) and ``metrics_reference.json`` (empyrical-reloaded
0.7.1 and quantstats on its daily simple returns, rf 0, 252 periods a year). The test skips
without ``shared/`` beside the clone, except under ``CI=true``, where it fails.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from tradebot.backtest.metrics import (
    alpha_beta,
    annual_return,
    annual_volatility,
    calmar,
    daily_returns,
    max_drawdown,
    monthly_returns,
    sharpe,
    sortino,
    summarise,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REFERENCE = SHARED / "bench" / "reference"
TOL = 1e-9


def _reference_file(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; CI runs with shared/ beside the clone")
        pytest.skip(f"{path} not available (shared/ is not beside this clone)")
    return path


@pytest.fixture(scope="module")
def curve() -> pd.DataFrame:
    return pd.read_parquet(_reference_file("metrics_equity.parquet"))


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_reference_file("metrics_reference.json").read_text())
    return data


@pytest.fixture(scope="module")
def returns(curve: pd.DataFrame) -> np.ndarray:
    return daily_returns(curve["timestamp"].to_numpy(), curve["equity"].to_numpy())


def test_daily_returns_are_the_reference_returns(
    curve: pd.DataFrame, returns: np.ndarray, published: dict[str, Any]
) -> None:
    assert returns.size == published["n_returns"] == len(curve) - 1
    np.testing.assert_allclose(returns, curve["returns"].to_numpy()[1:], rtol=0, atol=0)


def test_each_ratio_equals_the_published_empyrical_figure(
    curve: pd.DataFrame, returns: np.ndarray, published: dict[str, Any]
) -> None:
    expected = published["empyrical"]
    ours = {
        "sharpe": sharpe(returns, 252),
        "sortino": sortino(returns, 252),
        "max_drawdown": max_drawdown(curve["equity"].to_numpy()),
        "calmar": calmar(returns, 252),
        "annual_return": annual_return(returns, 252),
        "annual_volatility": annual_volatility(returns, 252),
    }
    for name, value in ours.items():
        assert value == pytest.approx(expected[name], rel=TOL), name
    assert expected["sharpe"] == pytest.approx(0.36006, abs=5e-6)  # the README's figures
    assert expected["max_drawdown"] == pytest.approx(-0.43662, abs=5e-6)


def test_each_ratio_equals_empyrical_run_here(curve: pd.DataFrame, returns: np.ndarray) -> None:
    """The same, against the installed empyrical, with a risk-free rate and crypto periods."""
    rf = 0.0001
    pairs = [
        (sharpe(returns, 365, rf=rf), ep.sharpe_ratio(returns, rf, annualization=365)),
        (sortino(returns, 365, rf), ep.sortino_ratio(returns, rf, annualization=365)),
        (calmar(returns, 365), ep.calmar_ratio(returns, annualization=365)),
        (annual_return(returns, 365), ep.annual_return(returns, annualization=365)),
        (annual_volatility(returns, 365), ep.annual_volatility(returns, annualization=365)),
        (max_drawdown(curve["equity"].to_numpy()), ep.max_drawdown(returns)),
    ]
    for ours, theirs in pairs:
        assert ours == pytest.approx(theirs, rel=TOL)


def test_alpha_beta_against_a_benchmark_equal_empyrical(returns: np.ndarray) -> None:
    # A benchmark that the curve follows in part: the curve's returns one day late, plus drift.
    bench = np.roll(returns, 1) * 0.8 + 0.0002
    expected_alpha, expected_beta = ep.alpha_beta(returns, bench, 0.0001, annualization=252)
    got_alpha, got_beta = alpha_beta(returns, bench, 252, rf=0.0001)
    assert got_alpha == pytest.approx(expected_alpha, rel=TOL)
    assert got_beta == pytest.approx(expected_beta, rel=TOL)


def test_monthly_table_compounds_daily_returns_as_empyrical(
    curve: pd.DataFrame, returns: np.ndarray
) -> None:
    stamps = curve["timestamp"].to_numpy()
    expected = ep.aggregate_returns(
        pd.Series(returns, index=pd.DatetimeIndex(stamps[1:])), "monthly"
    )
    table = monthly_returns(stamps, curve["equity"].to_numpy())
    ours = {
        (row.year, month + 1): value
        for row in table
        for month, value in enumerate(row.months)
        if value is not None
    }
    assert set(ours) == set(expected.index)
    for key, value in expected.items():
        assert ours[key] == pytest.approx(value, rel=TOL, abs=1e-12), key
    yearly = ep.aggregate_returns(pd.Series(returns, index=pd.DatetimeIndex(stamps[1:])), "yearly")
    assert [row.total for row in table] == pytest.approx(list(yearly), rel=TOL, abs=1e-12)


def test_summarise_reports_the_reference_figures(
    curve: pd.DataFrame, published: dict[str, Any]
) -> None:
    stamps = pd.DatetimeIndex(curve["timestamp"]).tz_localize("UTC")
    equity = curve["equity"].to_numpy()
    summary = summarise(list(stamps.to_pydatetime()), list(equity), [], 100_000.0, 252)
    expected = published["empyrical"]
    for key in (
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "annual_return",
        "annual_volatility",
    ):
        assert summary[key] == pytest.approx(expected[key], rel=TOL), key
    assert summary["total_return"] == pytest.approx(expected["cum_return"], rel=TOL)
    assert summary["final_equity"] == pytest.approx(published["final_equity"], rel=1e-12)
    assert summary["daily_returns"] == published["n_returns"]
    assert summary["start"][:10] == published["start"]
    assert summary["end"][:10] == published["end"]
    assert json.loads(json.dumps(summary, allow_nan=False)) == summary
    assert not any(isinstance(v, float) and math.isnan(v) for v in summary.values())
