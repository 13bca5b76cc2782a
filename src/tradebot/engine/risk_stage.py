"""The autonomous decision stage: the risk engine (:mod:`tradebot.risk`) driven by the kernel.

Per signal, :meth:`RiskStage.on_signal` runs :meth:`RiskEngine.decide` and persists exactly
one :class:`TradingDecision` (act or skip) with the full trace; an entry carries its stop and
take profit, so it goes out as a bracket where the venue has brackets. Per bar time, once
every bar of that time has been seen — at the first bar of the next time, before the venue
sees it, or when the run ends — the *close* of that time is handled: positions are reviewed
(stops moved, breakers run; crossings, stale prices and breaker trips become exit decisions
and market orders that fill on the next bar at the earliest), the weekly rebalance may sell,
due tranches of gradual entries go out as legs of their parent decision, and at the end of a
session the day closes (tier controller) and the state is saved. Fills, closed trades and
order rejections flow back through :meth:`RiskEngine.on_fill` / :meth:`RiskEngine.cancel_entry`.

Time: a daily bar is stamped at the 16:00 close, outside the 9:45–15:45 entry window, and
its orders trade at the next session's open, so entries and tranches are evaluated at the
next window opening (:meth:`RiskEngine.next_window_open`) — when the order will trade;
intraday bars and crypto are evaluated at the bar's own time. Reviews always use the bar time.

Exits are by review: the venue's bracket children stay at the entry's initial levels (a
protective net that also works while the bot is down); the engine's moved stops (trailing
to breakeven, tightening) are enforced by the review, whose exit first cancels the children.

Every history record the engine returns is appended to the store; the state document is
saved at each session end and when the run ends (:meth:`RiskStage.finish`), and a resumed
run starts from it (:meth:`RiskStage.restore`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tradebot.domain.bar import Bar
from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderStatus, OrderType
from tradebot.domain.messages import (
    ClosedTrade,
    DecisionCheck,
    Fill,
    Order,
    Signal,
    TradingDecision,
)
from tradebot.engine.decision_stage import skip_reason
from tradebot.engine.ids import decision_id, signal_id
from tradebot.engine.market_state import MarketState
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.risk_views import asset_class, portfolio_view, signal_view
from tradebot.engine.topics import DECISIONS
from tradebot.ports import Bus, Store
from tradebot.risk import (
    AssetClass,
    ExitIntent,
    FillView,
    PositionView,
    RiskEngine,
    RiskEvent,
    RiskState,
    SessionCalendar,
    StaticPortfolio,
    TrancheOrder,
)
from tradebot.risk.calendar import local_day

__all__ = ["RiskSetup", "RiskStage"]

_DAY = 86_400
_EXIT_SOURCE = "risk:"
_FAILED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class RiskSetup:
    """What the kernel needs to make the risk engine its decision stage. ``calendar`` is
    the session table the engine was built with (it says when a session ends)."""

    engine: RiskEngine
    calendar: SessionCalendar | None = None
    atr_period: int = 14


class RiskStage:
    stage = "decision"
    needs_every_bar = True
    """Stops, ATR and stale prices need every bar of every held symbol (no batch path)."""

    def __init__(
        self,
        *,
        run_id: str,
        setup: RiskSetup,
        portfolio: Portfolio,
        orders: OrderManager,
        store: Store,
        bus: Bus,
    ) -> None:
        self._run_id = run_id
        self.engine = setup.engine
        self._calendar = setup.calendar
        self._portfolio = portfolio
        self._orders = orders
        self._store = store
        self._bus = bus
        lookback = self.engine.config.sizing.correlation_lookback_days
        self.market = MarketState(setup.atr_period, lookback)
        self.state: RiskState = self.engine.initial_state()
        self.replaying = False
        """While a resumed run replays its recorded past, the stage only watches the market."""
        self._current: datetime | None = None
        self._reviewed: datetime | None = None
        self._bar_seconds = _DAY
        self._closed_pnl: dict[str, Decimal] = {}
        self._applied: set[str] = set()
        self.acted = 0
        self.skipped = 0
        self.skip_reasons: Counter[str] = Counter()
        """Skipped decisions by their first failed check."""
        self.exits = 0
        """Exit decisions of the review and the rebalance (counted in ``acted`` too)."""

    # --- bus handlers --------------------------------------------------------------------
    def before_bar(self, bar: Bar) -> None:
        """Subscribed first on ``market.bars``: a bar of a new time closes the previous
        time (before the venue fills anything at this bar), then the market moves."""
        current = self._current
        if current is None or bar.ts > current:
            self.close_through(bar.ts)
            self._current = bar.ts
        self._bar_seconds = bar.timeframe.seconds
        self.market.on_bar(bar)

    def close_through(self, ts: datetime) -> None:
        """Time moves on to ``ts``: the bar time before it is reviewed now, if it was not
        (a bar of a new time, or a timer or a fill report between two bars, says so)."""
        current = self._current
        if (
            current is not None
            and ts > current
            and not self.replaying
            and self._reviewed != current
        ):
            self.close_time(current)

    def warm_up(self, bar: Bar) -> None:
        """A bar from before the trading period: the market state learns, nothing else."""
        self.market.on_bar(bar)

    def on_signal(self, signal: Signal) -> None:
        if self.replaying:
            return
        view = signal_view(signal)
        now = self._trade_time(signal.ts, view.asset_class)
        outcome = self.engine.decide(
            view,
            portfolio_view(self._portfolio, self._orders),
            self.market,
            self.state,
            now,
            decision_id(signal.id),
        )
        if outcome.duplicate:
            return  # a redelivered signal: decided before, nothing to persist
        self.state = outcome.state
        decision = outcome.to_decision(view)
        if outcome.acted and outcome.side is OrderSide.BUY:
            decision = decision.evolve(stop_loss=outcome.stop_loss, take_profit=outcome.take_profit)
        self.count(decision)  # a skip counts under its first failed check, as outcome says
        self._store.record_decision(self._run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def count(self, decision: TradingDecision) -> None:
        """Count a decision made here — or one this run recorded before it was resumed, so
        a resumed run's figures are the whole run's. An exit answers a signal of the
        engine's own (``risk:<reason>``)."""
        if decision.action is DecisionAction.ACT:
            self.acted += 1
            if decision.strategies and decision.strategies[0].startswith(_EXIT_SOURCE):
                self.exits += 1
        else:
            self.skipped += 1
            self.skip_reasons[skip_reason(decision)] += 1

    def on_trade_closed(self, trade: ClosedTrade) -> None:
        """Published while the ledger applies the closing fill, just before :meth:`on_fill`."""
        self._closed_pnl[trade.symbol] = trade.pnl

    def on_fill(self, fill: Fill) -> None:
        """Subscribed after the ledger: the position is already updated."""
        pnl = self._closed_pnl.pop(fill.symbol, None)
        if self.replaying or fill.fill_id in self._applied:
            return  # replayed history, or a redelivery: applied once
        self._applied.add(fill.fill_id)
        held = self._portfolio.positions.get(fill.symbol)
        position = None
        if held is not None and held.side is Direction.LONG:
            mark = self._portfolio.mark(fill.symbol)
            position = PositionView(
                fill.symbol,
                held.quantity,
                held.avg_price,
                held.avg_price if mark is None else Decimal(repr(mark)),
                held.opened_at,
                asset_class(fill.symbol),
            )
        view = FillView(fill.fill_id, fill.symbol, fill.side, fill.quantity, fill.price, fill.ts)
        state, events = self.engine.on_fill(self.state, view, position, pnl)
        tracked = self._orders.tracked(fill.client_order_id)
        if tracked is not None and tracked.is_protective and tracked.order.type is OrderType.STOP:
            # a stop-loss the venue executed counts towards the volatility breaker like a
            # stop exit of the review, at the time it filled (the next review asks the rule)
            hits = (*state.breakers.stop_hits, fill.ts)
            state = state.evolve(breakers=replace(state.breakers, stop_hits=hits))
        self.state = state
        self._record(events)

    def on_order(self, order: Order) -> None:
        """An entry (or a later tranche) refused or cancelled before any fill frees its
        symbol: the engine forgets the pending entry and the rest of its tranches."""
        if self.replaying or order.status not in _FAILED or order.side is not OrderSide.BUY:
            return
        tracked = self._orders.tracked(order.client_order_id)
        if tracked is None or tracked.is_protective or tracked.filled > 0:
            return
        self.state = self.engine.cancel_entry(self.state, order.symbol)

    # --- the close of a bar time ---------------------------------------------------------
    def close_time(self, ts: datetime) -> None:
        """Review positions, rebalance, send due tranches and close the day at ``ts``.

        One portfolio view serves every step: nothing fills inside this method, so the view
        goes stale only when a step sends orders (they change the pending symbols and the
        reserved cash), and only then is it taken again. A rebalance that is not due and a
        state without tranche plans need no view at all."""
        engine = self.engine
        view = self._view()
        review = engine.review(view, self.market, self.state, ts)
        self.state = review.state
        self._record(review.events)
        stale = self._exits(review.exits, ts)
        trade_at = self._trade_time(ts, AssetClass.EQUITY)
        if engine.rebalance_due(self.state, trade_at):
            if stale:
                view, stale = self._view(), False
            rebalance = engine.rebalance(view, self.state, trade_at)
            self.state = rebalance.state
            self._record(rebalance.events)
            stale = self._exits(rebalance.exits, ts)
        if self.state.tranches:
            if stale:
                view, stale = self._view(), False
            tranches = engine.next_tranches(view, self.market, self.state, trade_at)
            self.state = tranches.state
            self._record(tranches.events)
            for order in tranches.orders:
                self._tranche(order, ts)
            stale = bool(tranches.orders)
        if self._session_ends(ts):
            if stale:
                view = self._view()
            self.state, events = engine.end_of_day(view, self.state, ts)
            self._record(events)
            self.save(ts)
        self._reviewed = ts

    def finish(self, last: datetime | None) -> None:
        """The run ends cleanly after bar time ``last``: close it, save the state."""
        if last is None:
            return
        if self._reviewed != last:
            self.close_time(last)
        self.save(last)

    def save(self, as_of: datetime) -> None:
        self._store.save_risk_state(self._run_id, as_of, self.state.to_dict)  # made on write

    def restore(self, as_of: datetime, state: dict[str, Any]) -> None:
        """Continue from a saved state: everything up to ``as_of`` (its close included)
        happened; the next bar time is the first this stage decides on."""
        self.state = RiskState.from_dict(state)
        self._current = self._reviewed = as_of
        self.replaying = False

    # --- internals -----------------------------------------------------------------------
    def _view(self) -> StaticPortfolio:
        return portfolio_view(self._portfolio, self._orders)

    def _trade_time(self, ts: datetime, kind: AssetClass) -> datetime:
        """When an order decided at bar time ``ts`` trades: the next window opening for a
        daily equity bar (stamped at the close), the bar time otherwise."""
        if self._bar_seconds < _DAY or kind is AssetClass.CRYPTO:
            return ts
        opens = self.engine.next_window_open(ts)
        return ts if opens is None else opens

    def _session_ends(self, ts: datetime) -> bool:
        """Whether ``ts`` is the last bar time of its New York day (once per day)."""
        day = local_day(ts)
        closes = self.state.performance.closes
        if closes and closes[-1][0] >= day:
            return False
        if self._bar_seconds >= _DAY:
            return True
        bar_end = ts + timedelta(seconds=self._bar_seconds)
        calendar = self._calendar
        session = calendar.session(day) if calendar is not None else None
        if session is not None:
            return bar_end >= session.close
        return local_day(bar_end) != day

    def _exits(self, exits: Sequence[ExitIntent], ts: datetime) -> bool:
        """Send each exit as a decision; whether any went out (the view is then stale)."""
        for intent in exits:
            self._exit(intent, ts)
        return bool(exits)

    def _exit(self, intent: ExitIntent, ts: datetime) -> None:
        """An exit as a decision of its own, on a signal of the risk engine's (both stored,
        so every decision still answers to one signal)."""
        symbol = intent.symbol
        price = intent.price or self.market.last_price(symbol) or Decimal(1)
        source = f"{_EXIT_SOURCE}{intent.reason.value}"
        why = intent.detail
        if not why.startswith(intent.reason.value):
            why = f"{intent.reason.value}: {why}"
        sid = signal_id(self._run_id, symbol, ts, source)
        signal = Signal(
            id=sid,
            ts=ts,
            symbol=symbol,
            direction=Direction.SHORT,
            strength=1.0,
            confidence=1.0,
            price=float(price),
            sources={source: 1.0},
        )
        inputs = {
            "reason": intent.reason.value,
            "price": str(price),
            "quantity": str(intent.quantity),
            "now": ts.isoformat(),
        }
        decision = TradingDecision(
            id=decision_id(sid),
            signal_id=sid,
            ts=ts,
            symbol=symbol,
            action=DecisionAction.ACT,
            side=OrderSide.SELL,
            quantity=intent.quantity,
            reference_price=price,
            reason=f"exit {symbol}: {why}",
            trace=(DecisionCheck(f"exit: {intent.reason.value}", True, intent.detail, inputs),),
            strategies=(source,),
        )
        self.count(decision)
        self._store.record_signal(self._run_id, signal)
        self._store.record_decision(self._run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def _tranche(self, order: TrancheOrder, ts: datetime) -> None:
        levels = self.state.stops.get(order.symbol)
        bracket = None if levels is None else (levels.stop_loss, levels.take_profit)
        reason = f"tranche {order.index + 1} of {order.parent_decision_id}"
        sent = self._orders.submit_leg(
            order.parent_decision_id, order.index, order.quantity, ts, reason, bracket
        )
        if sent is None:
            self.state = self.engine.cancel_entry(self.state, order.symbol)

    def _record(self, events: Sequence[RiskEvent]) -> None:
        if events:
            self._store.record_risk_events(self._run_id, events)
