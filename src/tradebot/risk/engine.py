"""The risk engine: one facade over the pure rules, driven by the kernel's decision stage.

Every method takes the current :class:`~tradebot.risk.state.RiskState` and ``now`` and
returns the new state with its answer; the engine holds no other memory than a
correlation memo keyed by its inputs, so two engines fed the same calls make the same
decisions (the restart guarantee). Call pattern for the integrator:

- per signal: :meth:`decide` → persist ``outcome.to_decision(signal)`` (skip when
  ``outcome.duplicate``), send the order, keep ``outcome.state``;
- per price update: :meth:`review` (exits), :meth:`next_tranches` (later tranches);
- per fill: :meth:`on_fill`; at the close: :meth:`end_of_day`; any time: :meth:`rebalance`
  (acts once a week); user actions: :meth:`halt`, :meth:`resume`, :meth:`set_tier`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tradebot.risk.breakers import manual_trip, resolve_manual
from tradebot.risk.calendar import SessionCalendar
from tradebot.risk.config import RiskConfig
from tradebot.risk.context import EngineContext, book_facts
from tradebot.risk.earnings import EarningsCalendar
from tradebot.risk.entry_path import decide as _decide
from tradebot.risk.events import BreakerEvent, RiskEvent
from tradebot.risk.exit_path import review_positions
from tradebot.risk.lifecycle import FillView, apply_fill, end_of_day, next_tranches, rebalance
from tradebot.risk.outcome import PositionReview, RiskOutcome, TrancheReview
from tradebot.risk.performance import PerformanceMetrics, compute_metrics
from tradebot.risk.rebalancer import rebalance_due
from tradebot.risk.sectors import SectorTable
from tradebot.risk.state import RiskState
from tradebot.risk.tiers import TierChange, TierName
from tradebot.risk.views import MarketView, PortfolioView, PositionView, SignalView

__all__ = ["RiskEngine"]


class RiskEngine:
    """Pure decisions over explicit state. Construct once per run."""

    __slots__ = ("_ctx",)

    def __init__(
        self,
        config: RiskConfig | None = None,
        *,
        sectors: SectorTable | None = None,
        earnings: EarningsCalendar | None = None,
        calendar: SessionCalendar | None = None,
    ) -> None:
        self._ctx = EngineContext(
            config or RiskConfig(),
            sectors or SectorTable(),
            earnings or EarningsCalendar(),
            calendar,
        )

    @property
    def config(self) -> RiskConfig:
        return self._ctx.config

    def initial_state(self) -> RiskState:
        return RiskState(tier=self._ctx.config.tier)

    def next_window_open(self, ts: datetime) -> datetime | None:
        """When equity entries may next go out (a daily-bar run decides at the close, 16:00,
        outside the window: evaluate its entries at this time, when the order will trade)."""
        return self._ctx.window.next_window_open(ts)

    def decide(
        self,
        signal: SignalView,
        portfolio: PortfolioView,
        market: MarketView,
        state: RiskState,
        now: datetime,
        decision_id: str | None = None,
    ) -> RiskOutcome:
        """Act or skip on one signal, with the ordered trace of every check."""
        did = decision_id or f"dec-{signal.id}"
        return _decide(self._ctx, signal, portfolio, market, state, now, did)

    def review(
        self, portfolio: PortfolioView, market: MarketView, state: RiskState, now: datetime
    ) -> PositionReview:
        """Move stops, run breakers and say which positions to sell now."""
        return review_positions(self._ctx, portfolio, market, state, now)

    def next_tranches(
        self, portfolio: PortfolioView, market: MarketView, state: RiskState, now: datetime
    ) -> TrancheReview:
        return next_tranches(self._ctx, portfolio, market, state, now)

    def on_fill(
        self,
        state: RiskState,
        fill: FillView,
        position_after: PositionView | None,
        closed_pnl: Decimal | None = None,
    ) -> tuple[RiskState, list[RiskEvent]]:
        """``closed_pnl``: the round trip's P&L when this fill closed the position."""
        return apply_fill(self._ctx, state, fill, position_after, closed_pnl)

    def end_of_day(
        self, portfolio: PortfolioView, state: RiskState, now: datetime
    ) -> tuple[RiskState, list[RiskEvent]]:
        return end_of_day(self._ctx, portfolio, state, now)

    def rebalance(
        self, portfolio: PortfolioView, state: RiskState, now: datetime
    ) -> PositionReview:
        return rebalance(self._ctx, portfolio, state, now)

    def rebalance_due(self, state: RiskState, now: datetime) -> bool:
        """Whether :meth:`rebalance` could sell at ``now`` (once a week): when not, it
        returns ``state`` unchanged, so an integrator may skip building a portfolio view."""
        return rebalance_due(state.last_rebalance, now, self._ctx.config.window.rebalance_weekday)

    def cancel_entry(self, state: RiskState, symbol: str) -> RiskState:
        """Forget a decided entry whose order was rejected or cancelled before any fill."""
        pending = {s: p for s, p in state.pending.items() if s != symbol}
        tranches = {s: p for s, p in state.tranches.items() if s != symbol}
        return state.evolve(pending=pending, tranches=tranches)

    def halt(
        self, state: RiskState, now: datetime, note: str = "manual halt"
    ) -> tuple[RiskState, list[RiskEvent]]:
        breakers, trip = manual_trip(state.breakers, now, note)
        return state.evolve(breakers=breakers), [BreakerEvent(trip, False, now)]

    def resume(self, state: RiskState, now: datetime) -> tuple[RiskState, list[RiskEvent]]:
        breakers, lifted = resolve_manual(state.breakers)
        return state.evolve(breakers=breakers), [BreakerEvent(t, True, now) for t in lifted]

    def set_tier(
        self, state: RiskState, tier: TierName, now: datetime, source: str = "manual"
    ) -> tuple[RiskState, list[RiskEvent]]:
        if tier is state.tier:
            return state, []
        change = TierChange(now, state.tier, tier, source, {})
        return state.evolve(tier=tier), [change]

    def metrics(self, portfolio: PortfolioView, state: RiskState) -> PerformanceMetrics:
        facts = book_facts(self._ctx, portfolio, state)
        perf = state.performance
        return compute_metrics(
            perf.trades,
            [equity for _, equity in perf.closes],
            total_value=facts.total_value,
            reserve=state.reserve.balance,
            heat=facts.heat,
            peak_equity=perf.peak_equity,
            sharpe_window=self._ctx.config.performance_window_days,
        )
