"""Objectives: which metric a study maximises, how results rank, and the stitched OOS score.

Ranking is total and deterministic: higher score first, an undefined score (no trades, a flat
curve: the metric is ``None`` or NaN) after every defined one, and ties broken by evaluation
order. So "the best" is always the first argmax, on every machine and with any ``--jobs``.

The overall out-of-sample score is computed on the folds' out-of-sample daily returns
chained end to end, as if one account had traded each fold's chosen parameters in turn —
not an average of per-fold ratios, which would weigh a short fold like a long one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tradebot.backtest.metrics import annual_return, calmar, max_drawdown, sharpe, sortino
from tradebot.domain.errors import ConfigError

__all__ = ["OBJECTIVES", "best_index", "check_objective", "ranked", "score", "stitched_metrics"]

OBJECTIVES = ("sharpe", "sortino", "calmar", "total_return", "annual_return")


def check_objective(name: str) -> str:
    if name not in OBJECTIVES:
        raise ConfigError(f"unknown objective {name!r}", f"choose one of: {', '.join(OBJECTIVES)}")
    return name


def score(result: dict[str, Any], objective: str) -> float | None:
    """The objective of one evaluation; ``None`` when undefined or the run failed."""
    if result.get("error"):
        return None
    value = result.get("metrics", {}).get(objective)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _key(result: dict[str, Any], objective: str, i: int) -> tuple[int, float, int]:
    s = score(result, objective)
    return (1, 0.0, i) if s is None else (0, -s, i)


def ranked(results: Sequence[dict[str, Any]], objective: str) -> list[int]:
    """Indices of ``results``, best first."""
    return sorted(range(len(results)), key=lambda i: _key(results[i], objective, i))


def best_index(results: Sequence[dict[str, Any]], objective: str) -> int | None:
    """The first result with the highest defined score, or ``None`` if none has one."""
    order = ranked(results, objective)
    if not order or score(results[order[0]], objective) is None:
        return None
    return order[0]


def _clean(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else float(value)


def stitched_metrics(
    results: Sequence[dict[str, Any]], periods_per_year: float = 252.0
) -> dict[str, Any]:
    """Metrics of the out-of-sample runs' daily returns chained in fold order."""
    daily = np.asarray(
        [r for res in results for r in res.get("daily_returns", [])], dtype=np.float64
    )
    trades = sum(int(res.get("metrics", {}).get("trades") or 0) for res in results)
    if daily.size == 0:
        return {k: None for k in OBJECTIVES} | {"max_drawdown": None, "trades": trades, "days": 0}
    equity = np.concatenate([[1.0], np.cumprod(1.0 + daily)])
    return {
        "sharpe": _clean(sharpe(daily, periods_per_year)),
        "sortino": _clean(sortino(daily, periods_per_year)),
        "calmar": _clean(calmar(daily, periods_per_year)),
        "total_return": _clean(float(equity[-1]) - 1.0),
        "annual_return": _clean(annual_return(daily, periods_per_year)),
        "max_drawdown": _clean(max_drawdown(equity)),
        "trades": trades,
        "days": int(daily.size),
    }
