"""The metrics of a finished run, as one JSON-ready dict (stored with the run, printed, exported).

Every value is a ``str``, ``int``, ``float``, ``None``, list or dict of those: a figure that
is undefined or infinite (Sharpe of two returns that are equal, profit factor without a
loss) is ``None``, never NaN or inf, which JSON cannot carry. Durations are seconds.

Which curve each figure uses, and why:
- ``total_return`` runs from the initial cash to the last point, exactly what the account did.
- ``max_drawdown`` and its duration use every point of the curve (an intraday fall counts).
- Ratios (Sharpe, Sortino, Calmar, volatility, annual return, alpha and beta) use daily
  returns (:func:`~tradebot.backtest.metrics.curve.daily_returns`), as empyrical does, so they
  do not depend on the bar size; Calmar's drawdown is therefore the daily curve's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from tradebot.backtest.metrics import curve, ratios
from tradebot.backtest.metrics.trades import strategy_attribution, trade_stats
from tradebot.domain.messages import ClosedTrade

__all__ = ["summarise"]


def summarise(
    ts: curve.Timestamps,
    equity: npt.ArrayLike,
    trades: Sequence[ClosedTrade],
    initial_cash: float,
    periods_per_year: float,
    *,
    rf: float = 0.0,
    benchmark: npt.ArrayLike | None = None,
    held: npt.ArrayLike | None = None,
) -> dict[str, Any]:
    """All metrics of a run from its equity curve (one point per timestamp) and closed trades.

    ``periods_per_year`` annualises the daily ratios: 252 for equities, 365 for crypto.
    ``rf`` is the risk-free rate per day (Sharpe's, and Sortino's required return); the
    number of daily returns behind the ratios is ``daily_returns``. ``benchmark`` is a
    buy-and-hold equity or price series on the same timestamps (for alpha, beta and its
    return). ``held`` flags the
    points at which a position was open; without it exposure comes from the trades' entry
    and exit times (positions still open at the end are then not counted).
    """
    values = ratios.as_vector(equity)
    ns = curve.to_ns(ts)
    if ns.size != values.size:
        raise ValueError(f"{ns.size} timestamps for {values.size} equity points")
    final = float(values[-1]) if values.size else float(initial_cash)
    ends = curve.daily_ends(ns.view("datetime64[ns]"))
    daily = curve.period_returns(values, ends) if values.size else np.empty(0)
    stats = trade_stats(trades)
    spell = curve.longest_drawdown(ns.view("datetime64[ns]"), values)
    out: dict[str, Any] = {
        "initial_equity": float(initial_cash),
        "final_equity": final,
        "total_return": _clean(final / initial_cash - 1.0),
        "trades": stats.trades,
        "win_rate": stats.win_rate,
        "max_drawdown": _clean(ratios.max_drawdown(values)),
        "sharpe": _clean(ratios.sharpe(daily, periods_per_year, rf)),
        "start": _iso(ns, 0),
        "end": _iso(ns, -1),
        "periods_per_year": periods_per_year,
        "risk_free_rate": rf,
        "daily_returns": int(daily.size),
        "annual_return": _clean(ratios.annual_return(daily, periods_per_year)),
        "annual_volatility": _clean(ratios.annual_volatility(daily, periods_per_year)),
        "sortino": _clean(ratios.sortino(daily, periods_per_year, rf)),
        "calmar": _clean(ratios.calmar(daily, periods_per_year)),
        "max_drawdown_duration_s": spell.duration.total_seconds(),
        "max_drawdown_duration_bars": spell.bars,
        "max_drawdown_start": spell.start.isoformat() if spell.start else None,
        "max_drawdown_end": spell.end.isoformat() if spell.end else None,
        "max_drawdown_recovered": spell.recovered,
        "exposure": _clean(_exposure(ns, trades, held)),
        "wins": stats.wins,
        "losses": stats.losses,
        "gross_profit": float(stats.gross_profit),
        "gross_loss": float(stats.gross_loss),
        "net_pnl": float(stats.net_pnl),
        "profit_factor": _clean(stats.profit_factor),
        "expectancy": _money(stats.expectancy),
        "avg_win": _money(stats.avg_win),
        "avg_loss": _money(stats.avg_loss),
        "largest_win": _money(stats.largest_win),
        "largest_loss": _money(stats.largest_loss),
        "avg_hold_s": stats.avg_hold.total_seconds() if stats.avg_hold is not None else None,
        "monthly_returns": [
            {
                "year": row.year,
                "months": [_clean(m) for m in row.months],
                "total": _clean(row.total),
            }
            for row in curve.monthly_returns(ns.view("datetime64[ns]"), values)
        ],
        "strategies": {
            name: {"pnl": float(s.pnl), "trades": s.trades, "wins": s.wins, "losses": s.losses}
            for name, s in strategy_attribution(trades).items()
        },
    }
    out |= _against_benchmark(benchmark, values.size, ends, daily, periods_per_year, rf)
    return out


def _against_benchmark(
    benchmark: npt.ArrayLike | None,
    points: int,
    ends: curve.IntArray,
    daily: ratios.FloatArray,
    periods_per_year: float,
    rf: float,
) -> dict[str, float | None]:
    if benchmark is None:
        return {"alpha": None, "beta": None, "benchmark_return": None}
    bench = ratios.as_vector(benchmark)
    if bench.size != points:
        raise ValueError(f"benchmark has {bench.size} points, the equity curve {points}")
    bench_daily = curve.period_returns(bench, ends) if bench.size else np.empty(0)
    a, b = ratios.alpha_beta(daily, bench_daily, periods_per_year, rf)
    total = float(bench[-1] / bench[0] - 1.0) if bench.size else math.nan
    return {"alpha": _clean(a), "beta": _clean(b), "benchmark_return": _clean(total)}


def _exposure(
    ns: curve.IntArray, trades: Sequence[ClosedTrade], held: npt.ArrayLike | None
) -> float:
    if held is not None:
        return curve.exposure_of_flags(held)
    return curve.exposure(
        ns.view("datetime64[ns]"), [t.entry_ts for t in trades], [t.exit_ts for t in trades]
    )


def _clean(value: float | None) -> float | None:
    """``None`` for anything JSON cannot hold (NaN, ±inf)."""
    return float(value) if value is not None and math.isfinite(value) else None


def _money(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _iso(ns: curve.IntArray, i: int) -> str | None:
    if ns.size == 0:
        return None
    stamp: datetime = curve.as_datetime(ns[i])
    return stamp.isoformat()
