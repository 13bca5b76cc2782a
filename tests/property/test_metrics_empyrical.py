"""The ratios equal empyrical's on random return series, NaN and ±inf included.

Returns are drawn on a 1e-6 grid in (-1, 1] (with many exact zeros, all-negative series,
constant ones and series of 0 to 3 values), so two returns that differ, differ by a real
amount: a spread at the last bit would make a ratio of two rounding errors, where no two
summation orders (numpy's pairwise sums, bottleneck's loops under empyrical) can agree.
Agreement is 1e-9 relative, with an absolute floor of 1e-12 for figures that are 0 up to
rounding (a Sharpe ratio of returns that cancel out).
"""

from __future__ import annotations

import math

import empyrical as ep
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradebot.backtest.metrics import (
    alpha_beta,
    annual_return,
    annual_volatility,
    calmar,
    max_drawdown,
    sharpe,
    sortino,
)

grid = st.integers(-999_999, 1_000_000).map(lambda k: k / 1e6)
some = st.lists(st.one_of(st.just(0.0), grid), max_size=60)
negative = st.lists(st.integers(-990_000, -1).map(lambda k: k / 1e6), max_size=40)
constant = st.builds(lambda r, n: [r] * n, st.one_of(st.just(0.0), grid), st.integers(0, 12))
tiny = st.lists(grid, max_size=3)
returns_lists = st.one_of(some, negative, constant, tiny)
periods = st.sampled_from([252, 365, 12, 52])
rates = st.one_of(st.just(0.0), st.integers(-1000, 1000).map(lambda k: k / 1e6))


def same(ours: float, theirs: float) -> bool:
    """Equal to 1e-9 relative (1e-12 absolute near zero); NaN where NaN, inf where inf."""
    theirs = float(theirs)
    if math.isnan(theirs) or math.isinf(theirs):
        return math.isnan(ours) if math.isnan(theirs) else ours == theirs
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=400, deadline=None)
@given(returns=returns_lists, ppy=periods, rf=rates)
def test_sharpe(returns: list[float], ppy: int, rf: float) -> None:
    r = np.array(returns, dtype=np.float64)
    expected = ep.sharpe_ratio(r, risk_free=rf, annualization=ppy)
    assert same(sharpe(r, ppy, rf), expected)
    assert same(sharpe(returns, ppy, rf=rf), expected)  # a plain list works too


@settings(max_examples=400, deadline=None)
@given(returns=returns_lists, ppy=periods, required=rates)
def test_sortino(returns: list[float], ppy: int, required: float) -> None:
    r = np.array(returns, dtype=np.float64)
    expected = ep.sortino_ratio(r, required_return=required, annualization=ppy)
    assert same(sortino(r, ppy, required_return=required), expected)


@settings(max_examples=400, deadline=None)
@given(returns=returns_lists, ppy=periods)
def test_annual_return_volatility_and_calmar(returns: list[float], ppy: int) -> None:
    r = np.array(returns, dtype=np.float64)
    assert same(annual_return(r, ppy), ep.annual_return(r, annualization=ppy))
    assert same(annual_volatility(r, ppy), ep.annual_volatility(r, annualization=ppy))
    assert same(calmar(r, ppy), ep.calmar_ratio(r, annualization=ppy))


@settings(max_examples=400, deadline=None)
@given(returns=returns_lists)
def test_max_drawdown_of_the_curve_equals_empyrical_of_its_returns(returns: list[float]) -> None:
    r = np.array(returns, dtype=np.float64)
    equity = np.concatenate(([100.0], 100.0 * np.cumprod(1.0 + r)))
    assert same(max_drawdown(equity), ep.max_drawdown(r))


@settings(max_examples=300, deadline=None)
@given(equity=st.lists(st.integers(1, 10**7).map(lambda k: k / 100), min_size=0, max_size=60))
def test_max_drawdown_of_any_positive_curve(equity: list[float]) -> None:
    e = np.array(equity, dtype=np.float64)
    expected = ep.max_drawdown(ep.simple_returns(e)) if e.size else math.nan
    assert same(max_drawdown(e), expected)


@st.composite
def paired(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    """A strategy's and a benchmark's returns over the same periods."""
    strategy = draw(returns_lists)
    mode = draw(st.sampled_from(["free", "related", "constant"]))
    if mode == "constant":
        return strategy, [draw(grid)] * len(strategy)
    bench = draw(
        st.lists(st.one_of(st.just(0.0), grid), min_size=len(strategy), max_size=len(strategy))
    )
    if mode == "related":  # a strategy that partly follows its benchmark, on the same grid
        strategy = [
            round((b * 0.5 + s * 0.1) * 1e6) / 1e6 for b, s in zip(bench, strategy, strict=True)
        ]
    return strategy, bench


@settings(max_examples=400, deadline=None)
@given(pair=paired(), ppy=periods, rf=rates)
def test_alpha_and_beta(pair: tuple[list[float], list[float]], ppy: int, rf: float) -> None:
    r, b = (np.array(x, dtype=np.float64) for x in pair)
    expected_alpha, expected_beta = ep.alpha_beta(r, b, risk_free=rf, annualization=ppy)
    ours_alpha, ours_beta = alpha_beta(r, b, ppy, rf)
    assert same(ours_beta, expected_beta)
    assert same(ours_alpha, expected_alpha)
