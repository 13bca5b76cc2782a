"""What a report shows, gathered once: :class:`ReportData` and the helpers that build it.

The renderers take a :class:`ReportData` and nothing else, so the HTML and the CSV files of
one run always agree, and a test can build one by hand without running a backtest.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tradebot.backtest.metrics import alpha_beta, daily_returns, strategy_attribution
from tradebot.domain.messages import ClosedTrade
from tradebot.engine.kernel import RunResult

__all__ = [
    "ReportData",
    "Series",
    "Timestamps",
    "Values",
    "buy_and_hold",
    "report_data",
    "to_ns",
    "to_values",
]

Timestamps = Sequence[datetime] | npt.NDArray[np.datetime64] | pd.Index
"""UTC times, ascending: datetimes (naive ones read as UTC), datetime64 values or an index
(a DataFrame's, as ``ParquetReplayFeed.frame`` gives)."""
Values = Sequence[float] | npt.NDArray[Any] | pd.Series
"""Floats: a list, an array or a DataFrame column."""
Series = tuple[Timestamps, Values]
"""``(times, values)`` of one curve: a benchmark's equity or a symbol's closes."""

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything one report shows; build it with :func:`report_data` or by hand.

    ``metrics`` is the run's summary (:func:`tradebot.backtest.metrics.summarise`'s keys are
    labelled and formatted, unknown scalar keys are shown as they are). ``benchmark`` is a
    buy-and-hold equity curve scaled to the same initial equity; ``prices`` the closes of
    the traded symbols, on which the trades are marked. ``attribution`` maps a strategy to
    its ``pnl``, ``trades``, ``wins`` and ``losses``.
    """

    title: str
    run_id: str
    metrics: Mapping[str, Any]
    equity_ts: Timestamps
    equity: Values
    trades: Sequence[ClosedTrade] = ()
    prices: Mapping[str, Series] = field(default_factory=dict)
    benchmark: Series | None = None
    benchmark_label: str = "Buy & hold"
    skip_reasons: Mapping[str, int] = field(default_factory=dict)
    attribution: Mapping[str, Mapping[str, float]] | None = None
    status: str = "completed"
    weights: Mapping[str, Sequence[tuple[int, float]]] = field(default_factory=dict)
    """A learning run's weight path: per strategy, ``(epoch ns, weight)`` from each
    adjustment on (empty: the weights stayed fixed, and no chart is drawn)."""


def to_ns(ts: Timestamps) -> IntArray:
    """Epoch nanoseconds (UTC) of ``ts``; naive times are taken as UTC."""
    if isinstance(ts, np.ndarray) and ts.dtype.kind == "M":
        return ts.astype("datetime64[ns]").view(np.int64)
    if len(ts) == 0:
        return np.empty(0, dtype=np.int64)
    index = (
        ts if isinstance(ts, pd.DatetimeIndex) else pd.DatetimeIndex(pd.to_datetime(ts, utc=True))
    )
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    return np.asarray(index.as_unit("ns").asi8, dtype=np.int64)


def to_values(values: Values) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def report_data(
    result: RunResult,
    *,
    title: str,
    prices: Mapping[str, Series],
    benchmark: Series | None = None,
    benchmark_label: str | None = None,
    weights: Mapping[str, Sequence[tuple[int, float]]] | None = None,
) -> ReportData:
    """The report of a finished run, with prices and a benchmark clipped to the run's window.

    Without ``benchmark`` the run's own (equal-weight buy-and-hold of its symbols, on the
    equity timestamps) is drawn. A benchmark given here (SPY, say, from :func:`buy_and_hold`)
    replaces it; its return, alpha and beta are then computed on daily returns, the
    benchmark read as of each equity point, as :func:`summarise` does for the run's own.
    """
    ts = to_ns(result.equity_ts)
    window = (int(ts[0]), int(ts[-1])) if ts.size else None
    metrics = dict(result.metrics)
    if benchmark is None and len(result.benchmark) == ts.size and ts.size:
        benchmark = (ts.view("datetime64[ns]"), to_values(result.benchmark))
        benchmark_label = benchmark_label or f"Buy & hold {_names(result.trades, prices)}"
    elif benchmark is not None:
        metrics = {k: v for k, v in metrics.items() if k not in _AGAINST}
    bench = _clip(benchmark, window) if benchmark is not None else None
    if bench is not None and ts.size and len(bench[0]):
        metrics |= _against(metrics, ts, to_values(result.equity), bench)
    attribution = metrics.get("strategies")
    if not isinstance(attribution, Mapping):
        attribution = {
            name: {"pnl": float(s.pnl), "trades": s.trades, "wins": s.wins, "losses": s.losses}
            for name, s in strategy_attribution(result.trades).items()
        }
    return ReportData(
        title=title,
        run_id=result.run_id,
        metrics=metrics,
        equity_ts=ts.view("datetime64[ns]"),
        equity=to_values(result.equity),
        trades=list(result.trades),
        prices={symbol: _clip(series, window) for symbol, series in prices.items()},
        benchmark=bench,
        benchmark_label=benchmark_label or "Benchmark",
        skip_reasons=dict(result.skip_reasons),
        attribution=attribution,
        status=result.status,
        weights=dict(weights or {}),
    )


def buy_and_hold(
    prices: Mapping[str, Series], initial_equity: float, start: datetime | None = None
) -> tuple[npt.NDArray[np.datetime64], FloatArray]:
    """Equal-weight buy-and-hold of ``prices``: each symbol gets ``initial_equity / n`` at its
    first close at or after ``start`` and is held to the end (no fees, no rebalancing).

    Pass one symbol (``{"SPY": ...}``) for an index benchmark. Before a symbol's first bar
    its share is held as cash; the times are the union of all symbols' times.
    """
    series = {s: (to_ns(t), to_values(v)) for s, (t, v) in sorted(prices.items())}
    if start is not None:
        first = int(to_ns([start])[0])
        series = {s: (t[t >= first], v[t >= first]) for s, (t, v) in series.items()}
    series = {s: tv for s, tv in series.items() if tv[0].size}
    if not series:
        return np.empty(0, dtype="datetime64[ns]"), np.empty(0)
    times = np.unique(np.concatenate([t for t, _ in series.values()]))
    share = float(initial_equity) / len(series)
    total = np.zeros(times.size)
    for t, v in series.values():
        at = np.searchsorted(t, times, side="right") - 1
        held = np.where(at >= 0, v[np.maximum(at, 0)] / v[0] * share, share)
        total += held
    return times.view("datetime64[ns]"), total


_AGAINST = ("benchmark_return", "alpha", "beta")


def _names(trades: Sequence[ClosedTrade], prices: Mapping[str, Series]) -> str:
    """``AAPL`` alone, ``(equal weight: AAPL, MSFT)``, or ``(equal weight, 11 symbols)``."""
    symbols = sorted(set(prices) | {t.symbol for t in trades})
    if len(symbols) == 1:
        return symbols[0]
    if 1 < len(symbols) <= 4:
        return f"(equal weight: {', '.join(symbols)})"
    return f"(equal weight, {len(symbols)} symbols)" if symbols else "(equal weight)"


def _clip(series: Series, window: tuple[int, int] | None) -> Series:
    """The part of a curve inside the run's first and last equity times."""
    t, v = to_ns(series[0]), to_values(series[1])
    if t.size != v.size:
        raise ValueError(f"{t.size} times for {v.size} values")
    if window is not None:
        keep = (t >= window[0]) & (t <= window[1])
        t, v = t[keep], v[keep]
    return t.view("datetime64[ns]"), v


def _against(
    metrics: Mapping[str, Any], ts: IntArray, equity: FloatArray, bench: Series
) -> dict[str, float | None]:
    """Benchmark return, alpha and beta, for the keys the run's metrics left empty."""
    bt, bv = to_ns(bench[0]), to_values(bench[1])
    at = np.clip(np.searchsorted(bt, ts, side="right") - 1, 0, bt.size - 1)
    aligned = bv[at]
    periods = float(metrics.get("periods_per_year") or 252)
    rf = float(metrics.get("risk_free_rate") or 0.0)
    days = ts.view("datetime64[ns]")
    a, b = alpha_beta(daily_returns(days, equity), daily_returns(days, aligned), periods, rf)
    found = {"benchmark_return": float(bv[-1] / bv[0] - 1.0), "alpha": a, "beta": b}
    return {
        key: (value if math.isfinite(value) else None)
        for key, value in found.items()
        if metrics.get(key) is None
    }
