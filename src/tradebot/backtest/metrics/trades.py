"""Statistics of the closed trades and their attribution to strategies.

Money stays ``Decimal`` here (sums of P&L are exact, as in the ledger); summaries turn it
into floats for JSON. A win is a trade with positive P&L, a loss one with negative P&L; a
trade at exactly zero is neither, but counts as a trade (so win rate = wins / trades).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from tradebot.domain.messages import ClosedTrade

__all__ = ["UNATTRIBUTED", "StrategyShare", "TradeStats", "strategy_attribution", "trade_stats"]

UNATTRIBUTED = "(none)"
"""The attribution key of trades that name no contributing strategy."""

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TradeStats:
    """What the trade list says about a run; ``None`` where a figure has nothing to average.

    ``profit_factor`` is gross profit over gross loss: ``None`` without trades or when both
    are zero, ``inf`` when there are gains and no loss. ``expectancy`` is the mean P&L per
    trade (currency). ``avg_loss`` and ``largest_loss`` are negative.
    """

    trades: int
    wins: int
    losses: int
    win_rate: float | None
    gross_profit: Decimal
    gross_loss: Decimal
    net_pnl: Decimal
    profit_factor: float | None
    expectancy: Decimal | None
    avg_win: Decimal | None
    avg_loss: Decimal | None
    largest_win: Decimal | None
    largest_loss: Decimal | None
    avg_hold: timedelta | None


def trade_stats(trades: Sequence[ClosedTrade]) -> TradeStats:
    """Counts, P&L aggregates and average holding time of ``trades``."""
    pnls = [t.pnl for t in trades]
    wins = [p for p in pnls if p > 0]
    losses = [p for p in pnls if p < 0]
    gross_profit = sum(wins, _ZERO)
    gross_loss = -sum(losses, _ZERO)
    net = sum(pnls, _ZERO)
    n = len(pnls)
    return TradeStats(
        trades=n,
        wins=len(wins),
        losses=len(losses),
        win_rate=len(wins) / n if n else None,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        net_pnl=net,
        profit_factor=_profit_factor(gross_profit, gross_loss) if n else None,
        expectancy=net / n if n else None,
        avg_win=gross_profit / len(wins) if wins else None,
        avg_loss=-gross_loss / len(losses) if losses else None,
        largest_win=max(wins) if wins else None,
        largest_loss=min(losses) if losses else None,
        avg_hold=timedelta(seconds=sum(t.hold_seconds for t in trades) / n) if n else None,
    )


def _profit_factor(gross_profit: Decimal, gross_loss: Decimal) -> float | None:
    if gross_loss > 0:
        return float(gross_profit / gross_loss)
    return float("inf") if gross_profit > 0 else None


@dataclass(frozen=True, slots=True)
class StrategyShare:
    """One strategy's part of the run: its P&L share and the trades it contributed to."""

    pnl: Decimal
    trades: int
    wins: int
    losses: int


def strategy_attribution(trades: Sequence[ClosedTrade]) -> dict[str, StrategyShare]:
    """P&L and trade counts per contributing strategy, sorted by name.

    A trade opened on the word of several strategies splits its P&L equally between them
    (the ensemble records who voted, not by how much the outcome is owed to each), so the
    shares add up to the run's net P&L. Each contributor counts the whole trade once in its
    ``trades``, ``wins`` and ``losses``, so those counts may add up to more than the run's.
    A strategy named twice on one trade counts once. Trades naming none go to
    :data:`UNATTRIBUTED`.
    """
    by_names: dict[tuple[str, ...], list[Decimal]] = {}
    for trade in trades:  # one pass to group; the Decimal sums then run in C
        by_names.setdefault(trade.strategies, []).append(trade.pnl)
    pnl: dict[str, Decimal] = {}
    counts: dict[str, list[int]] = {}
    for named, results in by_names.items():
        names = tuple(dict.fromkeys(named)) or (UNATTRIBUTED,)
        total = sum(results, _ZERO)
        wins = sum(1 for r in results if r > 0)
        losses = sum(1 for r in results if r < 0)
        shares = [total] if len(names) == 1 else [sum((r / len(names) for r in results), _ZERO)]
        for name in names:
            pnl[name] = pnl.get(name, _ZERO) + shares[0]
            count = counts.setdefault(name, [0, 0, 0])
            count[0] += len(results)
            count[1] += wins
            count[2] += losses
    return {name: StrategyShare(pnl[name], *counts[name]) for name in sorted(pnl, key=str)}
