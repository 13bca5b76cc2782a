"""Portfolio heat: the money lost if every open position hit its stop.

Per position (seed 4.8): ``value × (entry − stop) / entry``, and 0 once the stop is at or
above the entry (a trailed position risks nothing). The portfolio's heat is the sum; the
tiers cap it as a fraction of the portfolio's total value. Above ``tighten_at`` (80 %) of
the cap, :func:`heat_tightening_order` names the positions whose stops to tighten, lowest
entry confidence first (seed 6.1), until the projected heat is back under that level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from tradebot.risk.stops import StopLevels

__all__ = ["heat_fraction", "heat_tightening_order", "portfolio_heat", "position_heat"]

_ZERO = Decimal(0)


def position_heat(value: Decimal, entry: Decimal, stop: Decimal) -> Decimal:
    if entry <= 0 or stop >= entry or value <= 0:
        return _ZERO
    return value * (entry - stop) / entry


def portfolio_heat(levels: Mapping[str, StopLevels], values: Mapping[str, Decimal]) -> Decimal:
    """Sum of position heat over the positions that have both levels and a market value."""
    total = _ZERO
    for symbol, lv in levels.items():
        value = values.get(symbol)
        if value is not None:
            total += position_heat(value, lv.entry_price, lv.stop_loss)
    return total


def heat_fraction(heat: Decimal, total_value: Decimal) -> Decimal:
    return heat / total_value if total_value > 0 else _ZERO


def heat_tightening_order(
    levels: Mapping[str, StopLevels],
    values: Mapping[str, Decimal],
    limit: Decimal,
    tightened: Callable[[StopLevels], StopLevels],
) -> list[str]:
    """Symbols to tighten, lowest confidence first, until heat ≤ ``limit`` (money).

    ``tightened`` gives a position's levels after tightening; the projection uses it, so
    positions whose stop cannot move (already tight, trailed) are skipped, not counted.
    """
    heat = portfolio_heat(levels, values)
    if heat <= limit:
        return []
    chosen: list[str] = []
    for symbol in sorted(levels, key=lambda s: (levels[s].confidence, s)):
        value = values.get(symbol)
        if value is None:
            continue
        before = levels[symbol]
        after = tightened(before)
        saved = position_heat(value, before.entry_price, before.stop_loss) - position_heat(
            value, after.entry_price, after.stop_loss
        )
        if saved <= 0:
            continue
        chosen.append(symbol)
        heat -= saved
        if heat <= limit:
            break
    return chosen
