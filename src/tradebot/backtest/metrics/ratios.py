"""Risk and return ratios over periodic simple returns, equal to empyrical's.

Each function mirrors the matching empyrical-reloaded function (0.5 to 0.7) on a 1-D series,
so a figure here can be checked against the library users already trust (a test holds them
equal to 1e-9). The conventions copied from it:

- ``returns`` are simple, non-cumulative, one per period and finite (no NaN: an equity curve
  of positive values never produces one); numpy arrays or any sequence of floats.
- ``periods_per_year`` annualises: 252 for equities (trading days), 365 for crypto (24/7).
- ``rf`` and ``required_return`` are rates *per period* (a 4 % annual rate on daily returns
  is ``1.04 ** (1 / 252) - 1``), subtracted from every return.
- Undefined answers are NaN exactly where empyrical's are: fewer than two returns for the
  ratios and the volatility, none for the annual return and the drawdown, no drawdown for
  Calmar, a benchmark without variance for beta. A zero dispersion divides to ±inf (or NaN
  for 0/0) as empyrical's does; summaries turn every non-finite figure into ``None``.

``max_drawdown`` alone takes an equity curve, because drawdown is a property of the curve;
it equals empyrical's ``max_drawdown`` of that curve's returns.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "alpha",
    "alpha_beta",
    "annual_return",
    "annual_volatility",
    "beta",
    "calmar",
    "downside_risk",
    "max_drawdown",
    "sharpe",
    "sortino",
]

FloatArray = npt.NDArray[np.float64]


def as_vector(values: npt.ArrayLike) -> FloatArray:
    """``values`` as a 1-D float64 array; anything else is a caller's error."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"expected a 1-D series, got an array of shape {array.shape}")
    return array


def _adjust(returns: FloatArray, by: float) -> FloatArray:
    # empyrical subtracts only a non-zero adjustment; x - 0.0 is x anyway, but -0.0 stays -0.0.
    return returns if by == 0 else returns - by


def sharpe(returns: npt.ArrayLike, periods_per_year: float, rf: float = 0.0) -> float:
    """Annualised Sharpe ratio: ``mean(r - rf) / std(r - rf, ddof=1) * sqrt(periods)``.

    A series whose values are all equal has a dispersion of exactly zero (empyrical guards the
    float residue of the mean the same way), so it gives ±inf, or NaN when the mean is zero.
    """
    r = as_vector(returns)
    if r.size < 2:
        return math.nan
    adj = _adjust(r, rf)
    std = np.float64(0.0) if adj.max() == adj.min() else np.std(adj, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(adj) / std * np.sqrt(periods_per_year))


def downside_risk(
    returns: npt.ArrayLike, periods_per_year: float, required_return: float = 0.0
) -> float:
    """Annualised downside deviation: ``sqrt(mean(min(r - required, 0)²)) * sqrt(periods)``.

    The mean runs over *all* periods, not only the losing ones: a period at or above the
    required return counts as zero shortfall (Sortino's definition, and empyrical's).
    """
    r = as_vector(returns)
    if r.size < 1:
        return math.nan
    shortfall = np.clip(_adjust(r, required_return), -np.inf, 0.0)
    return float(np.sqrt(np.mean(np.square(shortfall))) * np.sqrt(periods_per_year))


def sortino(returns: npt.ArrayLike, periods_per_year: float, required_return: float = 0.0) -> float:
    """Annualised Sortino ratio: ``mean(r - required) * periods / downside_risk``.

    With no period below the required return the downside risk is zero and the ratio is
    +inf (NaN if the mean excess is zero too), as in empyrical.
    """
    r = as_vector(returns)
    if r.size < 2:
        return math.nan
    average_annual = np.mean(_adjust(r, required_return)) * periods_per_year
    risk = np.float64(downside_risk(r, periods_per_year, required_return))
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(average_annual / risk)


def annual_return(returns: npt.ArrayLike, periods_per_year: float) -> float:
    """Geometric annual growth: ``prod(1 + r) ** (periods / n) - 1``, i.e. (E_T/E_0)^(p/n) − 1.

    ``n`` counts returns (periods), not calendar time, so a daily series of trading days
    annualises with 252 and a 24/7 one with 365.
    """
    r = as_vector(returns)
    if r.size < 1:
        return math.nan
    ending = np.prod(r + 1.0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # a short stretch of fine bars annualises to a huge power: inf, as empyrical gives
        return float(ending ** (1.0 / (r.size / periods_per_year)) - 1.0)


def annual_volatility(returns: npt.ArrayLike, periods_per_year: float) -> float:
    """Annualised volatility: ``std(r, ddof=1) * periods ** 0.5``."""
    r = as_vector(returns)
    if r.size < 2:
        return math.nan
    return float(np.std(r, ddof=1) * periods_per_year**0.5)


def _drawdown_of_returns(r: FloatArray) -> float:
    """empyrical's max drawdown of a returns series: the curve 100·∏(1+r) from an anchor of 100."""
    if r.size < 1:
        return math.nan
    curve = np.empty(r.size + 1)
    curve[0] = 100.0
    np.multiply(np.cumprod(r + 1.0), 100.0, out=curve[1:])
    peaks = np.fmax.accumulate(curve)
    return float(np.min((curve[1:] - peaks[1:]) / peaks[1:]))


def max_drawdown(equity: npt.ArrayLike) -> float:
    """Deepest fall of the curve below its running peak, as a negative fraction (0.0 if none).

    Equal to empyrical's ``max_drawdown`` of the curve's simple returns; like it, NaN when
    there is no return at all (fewer than two points).
    """
    e = as_vector(equity)
    if e.size < 2:
        return math.nan
    peaks = np.maximum.accumulate(e)
    return float(np.min((e - peaks) / peaks))


def calmar(returns: npt.ArrayLike, periods_per_year: float) -> float:
    """Calmar ratio: ``annual_return / |max drawdown|`` of the same returns.

    NaN when the series never falls below a peak (no drawdown to divide by) or the ratio is
    infinite, as in empyrical.
    """
    r = as_vector(returns)
    drawdown = _drawdown_of_returns(r)
    if not drawdown < 0:
        return math.nan
    ratio = annual_return(r, periods_per_year) / abs(drawdown)
    return math.nan if math.isinf(ratio) else ratio


def beta(returns: npt.ArrayLike, benchmark_returns: npt.ArrayLike) -> float:
    """Sensitivity to the benchmark: ``cov(r, b) / var(b)``, both population moments.

    NaN when the benchmark has fewer than two returns or (almost) no variance (< 1e-30).
    The risk-free rate does not enter: a constant shift changes neither moment.
    """
    r, b = _paired(returns, benchmark_returns)
    if r.size < 1 or b.size < 2:
        return math.nan
    residual = b - np.mean(b)
    covariance = np.mean(residual * r)
    variance = np.mean(np.square(residual))
    if variance < 1.0e-30:
        return math.nan
    return float(covariance / variance)


def alpha(
    returns: npt.ArrayLike,
    benchmark_returns: npt.ArrayLike,
    periods_per_year: float,
    rf: float = 0.0,
) -> float:
    """Annualised Jensen's alpha: ``(1 + mean((r - rf) - β(b - rf))) ** periods - 1``."""
    return alpha_beta(returns, benchmark_returns, periods_per_year, rf)[0]


def alpha_beta(
    returns: npt.ArrayLike,
    benchmark_returns: npt.ArrayLike,
    periods_per_year: float,
    rf: float = 0.0,
) -> tuple[float, float]:
    """``(alpha, beta)`` against a benchmark's returns over the same periods (see each)."""
    r, b = _paired(returns, benchmark_returns)
    slope = beta(r, b)
    if r.size < 2:
        return math.nan, slope
    excess = _adjust(r, rf) - slope * _adjust(b, rf)
    with np.errstate(invalid="ignore", over="ignore"):
        return float(np.power(np.mean(excess) + 1.0, periods_per_year) - 1.0), slope


def _paired(
    returns: npt.ArrayLike, benchmark_returns: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r, b = as_vector(returns), as_vector(benchmark_returns)
    if r.size != b.size:
        raise ValueError(f"returns ({r.size}) and benchmark returns ({b.size}) differ in length")
    return r, b
