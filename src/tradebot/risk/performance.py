"""Performance: win rate, profit factor, Sharpe, drawdowns, heat — standard and micro apart.

- **Win rate** = winning trades / all trades (a trade that made exactly 0 is not a win).
- **Profit factor** = gross profit / gross loss; infinite with profit and no loss, None with
  neither.
- **Sharpe** = mean / sample std (ddof 1) of the trailing 30 *daily* returns × √252 — by
  day, never by trade count; None below two returns or on a flat series.
- **Drawdown** is a positive fraction below the running peak.

Micro-trades are tracked separately (seed 15.3): :func:`compute_metrics` gives one
:class:`TradeStats` for standard trades and one for micro-trades, never a blend.
:class:`PerformanceState` keeps just what the tier controller needs across restarts: the
peak, the last daily closes and the trades of the trailing window.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

__all__ = [
    "PerformanceMetrics",
    "PerformanceState",
    "TradeResult",
    "TradeStats",
    "compute_metrics",
    "daily_returns",
    "max_drawdown",
    "record_daily_close",
    "record_trade",
    "sharpe_ratio",
    "trade_stats",
]

_ZERO = Decimal(0)
TRADING_DAYS = 252


@dataclass(frozen=True, slots=True)
class TradeResult:
    symbol: str
    pnl: Decimal
    closed_at: datetime
    is_micro: bool = False


@dataclass(frozen=True, slots=True)
class TradeStats:
    count: int
    wins: int
    losses: int
    win_rate: float | None
    gross_profit: Decimal
    gross_loss: Decimal
    profit_factor: float | None
    avg_win: Decimal | None
    avg_loss: Decimal | None


def trade_stats(trades: Iterable[TradeResult]) -> TradeStats:
    pnls = [t.pnl for t in trades]
    won = [p for p in pnls if p > 0]
    lost = [p for p in pnls if p < 0]
    profit = sum(won, _ZERO)
    loss = -sum(lost, _ZERO)
    if loss > 0:
        factor: float | None = float(profit / loss)
    else:
        factor = math.inf if profit > 0 else None
    return TradeStats(
        count=len(pnls),
        wins=len(won),
        losses=len(lost),
        win_rate=len(won) / len(pnls) if pnls else None,
        gross_profit=profit,
        gross_loss=loss,
        profit_factor=factor,
        avg_win=profit / len(won) if won else None,
        avg_loss=-loss / len(lost) if lost else None,
    )


def daily_returns(closes: Sequence[Decimal]) -> list[float]:
    """Simple returns of consecutive daily equity closes (a zero close ends nothing)."""
    return [float(b / a - 1) for a, b in itertools.pairwise(closes) if a > 0]


def sharpe_ratio(returns: Sequence[float], window: int = 30) -> float | None:
    tail = list(returns[-window:])
    n = len(tail)
    if n < 2 or max(tail) == min(tail):
        return None  # a flat series has no dispersion (not a float residue of one)
    mean = math.fsum(tail) / n
    var = math.fsum((r - mean) ** 2 for r in tail) / (n - 1)
    if var <= 0.0:
        return None
    return mean / math.sqrt(var) * math.sqrt(TRADING_DAYS)


def max_drawdown(equity: Sequence[Decimal]) -> Decimal:
    peak = _ZERO
    worst = _ZERO
    for value in equity:
        peak = max(peak, value)
        if peak > 0:
            worst = max(worst, (peak - value) / peak)
    return worst


@dataclass(frozen=True, slots=True)
class PerformanceState:
    """The rolling memory: peak equity, last daily closes, trades of the trailing window."""

    peak_equity: Decimal = _ZERO
    closes: tuple[tuple[date, Decimal], ...] = ()
    trades: tuple[TradeResult, ...] = ()


def record_daily_close(
    state: PerformanceState, day: date, equity: Decimal, keep: int
) -> PerformanceState:
    """Add (or replace) the close of ``day``; keep the last ``keep`` closes."""
    closes = (*(c for c in state.closes if c[0] != day), (day, equity))
    closes = tuple(sorted(closes))[-keep:]
    return replace(state, closes=closes, peak_equity=max(state.peak_equity, equity))


def record_trade(
    state: PerformanceState, trade: TradeResult, now: datetime, window: timedelta
) -> PerformanceState:
    kept = tuple(t for t in state.trades if now - t.closed_at <= window)
    return replace(state, trades=(*kept, trade))


@dataclass(frozen=True, slots=True)
class PerformanceMetrics:
    total_value: Decimal
    active_pool: Decimal
    reserve_pool: Decimal
    standard: TradeStats
    micro: TradeStats
    sharpe: float | None
    max_drawdown: Decimal
    current_drawdown: Decimal
    heat: Decimal


def compute_metrics(
    trades: Iterable[TradeResult],
    equity_closes: Sequence[Decimal],
    *,
    total_value: Decimal,
    reserve: Decimal,
    heat: Decimal,
    peak_equity: Decimal | None = None,
    sharpe_window: int = 30,
) -> PerformanceMetrics:
    """All metrics at once; ``equity_closes`` are daily closes, oldest first."""
    listed = list(trades)
    peak = max([*equity_closes, total_value, peak_equity or _ZERO])
    current = (peak - total_value) / peak if peak > 0 and total_value < peak else _ZERO
    return PerformanceMetrics(
        total_value=total_value,
        active_pool=total_value - reserve,
        reserve_pool=reserve,
        standard=trade_stats(t for t in listed if not t.is_micro),
        micro=trade_stats(t for t in listed if t.is_micro),
        sharpe=sharpe_ratio(daily_returns(equity_closes), sharpe_window),
        max_drawdown=max_drawdown([*equity_closes, total_value]),
        current_drawdown=current,
        heat=heat,
    )
