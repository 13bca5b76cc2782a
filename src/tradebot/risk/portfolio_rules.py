"""Portfolio-level entry rules: the open-position limit and the declining-positions halt.

- **Max open positions** (seed 15.1, default 10): held positions, symbols with an open order
  and symbols with an unfinished tranche plan all take a slot, so a burst of signals cannot
  overshoot the limit while orders are in flight.
- **Declining positions** (seed 13.1): when more than half of the open positions are down
  more than 2 % from their average cost, no new entries (the market is going against the
  book; adding to it is how drawdowns compound).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from tradebot.risk.config import PortfolioRules
from tradebot.risk.views import PositionView

__all__ = ["declining_count", "declining_halt", "slots_in_use"]


def slots_in_use(
    positions: Collection[str], pending: Collection[str], planned: Collection[str]
) -> int:
    """Distinct symbols held, with an open order, or with pending tranches."""
    return len(set(positions) | set(pending) | set(planned))


def declining_count(positions: Mapping[str, PositionView], rules: PortfolioRules) -> int:
    """Open positions down more than ``declining_loss_pct`` from their average cost."""
    return sum(1 for p in positions.values() if p.unrealised_pct < -rules.declining_loss_pct)


def declining_halt(positions: Mapping[str, PositionView], rules: PortfolioRules) -> bool:
    """True when the declining share is strictly above ``declining_share_above``."""
    if not positions:
        return False
    return declining_count(positions, rules) > rules.declining_share_above * len(positions)
