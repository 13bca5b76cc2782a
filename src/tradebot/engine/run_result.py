"""What a run returns: its metrics, trades, equity curve and counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.messages import ClosedTrade

if TYPE_CHECKING:
    from tradebot.engine.kernel import Kernel

__all__ = ["RunResult", "summary_counts"]


@dataclass(slots=True)
class RunResult:
    run_id: str
    status: str
    metrics: dict[str, Any]
    trades: list[ClosedTrade]
    equity_ts: NDArray[np.datetime64]
    """Time of each equity point, UTC, ``datetime64[ns]`` (one per distinct bar time)."""
    equity: NDArray[np.float64]
    counts: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    """Skipped decisions by the first check that failed (e.g. "max open positions")."""
    benchmark: NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    """Buy-and-hold of the same symbols on the equity curve's timestamps."""


def summary_counts(kernel: Kernel) -> dict[str, int]:
    """What the stages counted over the run (a resumed run's past included)."""
    return {
        "signals": kernel.signals.emitted,
        "acted": kernel.decisions.acted,
        "skipped": kernel.decisions.skipped,
        "snapshots": kernel.ledger.snapshots,
        "scored_articles": kernel.news.scored,
        "unscored_articles": kernel.news.unscored,
        "news_signals": kernel.news_share.signals,
        "news_acted": kernel.news_share.acted,
    }
