"""What a kernel is built from: one typed object instead of two dozen keyword arguments.

The composition root (:mod:`tradebot.runtime.wiring`) fills a :class:`KernelSpec` with the
adapters of a mode and the run's options; tests fill it with fakes. ``decide`` picks the
decision stage: the autonomous risk engine (a :class:`RiskSetup`) or the reference stage
(:class:`SizingRules`). ``summarise`` turns the equity curve and trades into the run's
metrics: the kernel does not know how (``tradebot.backtest.metrics`` does; the runtime
hands it in), so the engine stays below the reporting code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import ClosedTrade
from tradebot.domain.run import RunInfo
from tradebot.engine.decision_stage import SizingRules
from tradebot.engine.live_sources import LiveSources
from tradebot.engine.resume import ResumePoint
from tradebot.engine.risk_stage import RiskSetup
from tradebot.ports import (
    Broker,
    Bus,
    Clock,
    LiveFeed,
    MarketFeed,
    NewsSource,
    SeenItems,
    SentimentModel,
    Store,
)
from tradebot.signals.ensemble import DEFAULT_THRESHOLD
from tradebot.strategies.base import StrategyFactory

__all__ = ["KernelSpec", "RunOptions", "Summariser"]


class Summariser(Protocol):
    """The run's metrics from its equity curve and closed trades."""

    def __call__(
        self,
        equity_ts: NDArray[np.datetime64],
        equity: NDArray[np.float64],
        trades: Sequence[ClosedTrade],
        initial_equity: float,
        periods_per_year: int,
        /,
        *,
        benchmark: NDArray[np.float64] | None = None,
        held: NDArray[np.bool_] | None = None,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How a run is driven, beyond its adapters."""

    snapshot_interval_s: int = 86_400
    """One portfolio snapshot per bucket of this many seconds (its last state)."""
    periods_per_year: int = 252
    trade_from: datetime | None = None
    """Bars before this only warm the strategies up."""
    run_until: datetime | None = None
    """Timers due up to this time still fire after the feed's last bar (a duty at the
    session's close, a fill the venue reports late)."""
    weights: Mapping[str, float] | None = None
    threshold: float = DEFAULT_THRESHOLD
    batch: bool = True
    """False forces the per-event path where the batch path could run."""
    snapshots: bool = True
    """False records no snapshots (for a store that keeps nothing)."""
    borrow_rate: Decimal = Decimal(0)
    """Yearly stock-borrow fee of short positions."""
    sentiment_half_life: timedelta = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class KernelSpec:
    run: RunInfo
    clock: Clock
    feed: MarketFeed | LiveFeed
    """A replay feed (backtest, paper replay) or, with ``live``, the live feed itself."""
    broker: Broker
    bus: Bus
    store: Store
    strategies: Sequence[StrategyFactory]
    sentiment: SentimentModel
    initial_cash: Decimal
    summarise: Summariser
    decide: RiskSetup | SizingRules
    news: NewsSource | None = None
    news_seen: SeenItems | None = None
    """The memory of news scored before (the store's for live sources)."""
    resume: ResumePoint | None = None
    """Continue the run ``run`` from what the store recorded of it."""
    options: RunOptions = RunOptions()
    instruments: Mapping[str, Instrument] = field(default_factory=dict)
    """The run's instruments by symbol (lot, tick, asset class), from the venue or the
    bundled table; a symbol missing here is taken for
    :func:`~tradebot.domain.instrument.fallback_instrument`."""
    live: LiveSources | None = None
    """The streams of a live session (bars, the venue's reports, news); the feed is then
    ``live.feed``, the clock the wall clock."""
    wall_clock: Clock | None = None
    """Where the run's end is timed (the runtime hands in the live clock; without one, the
    run's own clock)."""
