"""The fill loop shared by every vectorised strategy: long-only, all-in, next-bar-open fills.

The kernel's decision stage, reduced to what the standard case uses: a LONG opinion on bar
``t`` buys with all the cash at bar ``t + 1``'s open, ``units = cash / (open · (1 + fee))``;
a SHORT opinion sells everything there, ``cash = units · open · (1 − fee)``. A LONG while
already long and a SHORT while flat are skipped, and an opinion on the last bar has no bar
to fill on. So the position after each opinion is simply that opinion's direction, and the
fills are the bars where it changes: found with numpy, entries and exits alternate. Only the
compounding of cash walks the trades (one step per fill, not per bar).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["VectorResult", "simulate", "simulate_all_in"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class VectorResult:
    """Fill bars and prices of each entry and exit, and the final equity (close-marked)."""

    entries: IntArray
    entry_prices: FloatArray
    exits: IntArray
    exit_prices: FloatArray
    final_equity: float

    @property
    def open_position(self) -> bool:
        return len(self.entries) > len(self.exits)


def simulate(
    open_: npt.ArrayLike,
    close: npt.ArrayLike,
    long: npt.ArrayLike,
    short: npt.ArrayLike,
    *,
    fee: float = 0.001,
    cash: float = 100_000.0,
) -> VectorResult:
    """Trades of the all-in long-only book that acts on ``long``/``short`` opinions (boolean
    per bar; ``long`` wins where both are set) with fills at the next bar's open."""
    opens = np.ascontiguousarray(open_, dtype=np.float64)
    closes = np.ascontiguousarray(close, dtype=np.float64)
    wants_long = np.asarray(long, dtype=np.bool_)
    wants_short = np.asarray(short, dtype=np.bool_)
    n = len(closes)
    if not len(opens) == len(wants_long) == len(wants_short) == n:
        raise ValueError(
            f"open, close, long and short must have one value per bar, got lengths "
            f"{len(opens)}, {n}, {len(wants_long)}, {len(wants_short)}"
        )
    bars = np.flatnonzero((wants_long | wants_short)[: max(n - 1, 0)])
    direction = wants_long[bars]
    changed = direction != np.concatenate(([False], direction[:-1]))
    fills = bars[changed] + 1
    entry_idx, exit_idx = fills[0::2], fills[1::2]
    units = 0.0
    sells = opens[exit_idx].tolist()
    for trade, buy in enumerate(opens[entry_idx].tolist()):
        units, cash = cash / (buy * (1.0 + fee)), 0.0
        if trade < len(sells):
            cash, units = units * sells[trade] * (1.0 - fee), 0.0
    return VectorResult(
        entry_idx.astype(np.int64),
        opens[entry_idx],
        exit_idx.astype(np.int64),
        opens[exit_idx],
        cash + units * float(closes[-1]) if n else cash,
    )


simulate_all_in = simulate
"""The name the SMA-cross research path (and ``bench/peers.py``) first used; same function."""
