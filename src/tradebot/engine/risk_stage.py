"""The autonomous decision stage: the risk engine (:mod:`tradebot.risk`) driven by the kernel.

Per signal, :meth:`RiskStage.on_signal` runs :meth:`RiskEngine.decide` and persists exactly
one :class:`TradingDecision` (act or skip) with the full trace; an entry carries its stop and
take profit, so it goes out as a bracket where the venue has brackets. Per bar time, once
every bar of that time has been seen — at the first event of a later time (a bar, a timer,
a report, a command), before the venue sees it, or when the run ends — the *close* of that
time is handled: positions are reviewed (stops moved, breakers run; crossings, stale prices
and breaker trips become exit decisions and market orders that fill on the next bar at the
earliest), the weekly rebalance may sell, due tranches of gradual entries go out as legs of
their parent decision, and at the end of a session the day closes (tier controller) and the
state is saved. Fills, closed trades and order rejections flow back through
:meth:`RiskEngine.on_fill` / :meth:`RiskEngine.cancel_entry`.

Timed duties (stale prices, micro-trades' maximum hold, the review interval, the session's
close, the weekly rebalance, the daily summary) wait on the clock's timers and run with no
bar: :mod:`~tradebot.engine.risk_duties` says when each is due,
:mod:`~tradebot.engine.risk_duty_runner` what runs when one fires (a bar time at or after
the timer's time that is still open does the duty at its own review, as before). The
operator's pause, kill and commands: :mod:`~tradebot.engine.risk_operator`.

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
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.domain.bar import Bar
from tradebot.domain.enums import DecisionAction, Direction, OrderSide, OrderStatus, OrderType
from tradebot.domain.messages import ClosedTrade, Fill, Order, Signal, TradingDecision
from tradebot.domain.timer import TimerEvent
from tradebot.engine.decision_stage import skip_reason
from tradebot.engine.ids import decision_id
from tradebot.engine.market_state import MarketState
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.risk_decisions import RISK_SOURCE, exit_decision
from tradebot.engine.risk_duties import DutyRules
from tradebot.engine.risk_duty_runner import DutyRunner
from tradebot.engine.risk_operator import RiskOperator
from tradebot.engine.risk_setup import RiskSetup
from tradebot.engine.risk_views import (
    InstrumentOf,
    instruments_from,
    portfolio_view,
    signal_view,
)
from tradebot.engine.topics import DECISIONS, RISK_EVENTS
from tradebot.ports import Bus, Clock, Store
from tradebot.risk import (
    AssetClass,
    ExitIntent,
    FillView,
    PositionView,
    RiskEvent,
    RiskState,
    StaticPortfolio,
    TrancheOrder,
)
from tradebot.risk.duty_times import day_ends

__all__ = ["RiskSetup", "RiskStage"]

_DAY = 86_400
_FAILED = frozenset({OrderStatus.REJECTED, OrderStatus.CANCELLED})


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
        clock: Clock | None = None,
        gate: OperatorGate | None = None,
        instrument_of: InstrumentOf | None = None,
    ) -> None:
        """``clock``: where the timed duties wait (none: every duty at bar times only);
        ``gate``: the operator's pause and kill switch (none: never paused);
        ``instrument_of``: each symbol's instrument — lot, tick, asset class (none: the
        fallback by the symbol's spelling)."""
        self.run_id = run_id
        self.engine = setup.engine
        self._calendar = setup.calendar
        self._portfolio = portfolio
        self._orders = orders
        self._store = store
        self._bus = bus
        self.operator = RiskOperator(self, gate, portfolio, orders)
        """What the operator's gate holds back, and the operator's commands."""
        lookback = self.engine.config.sizing.correlation_lookback_days
        self.market = MarketState(setup.atr_period, lookback)
        self._micro = setup.micro_strategies
        self.instrument_of: InstrumentOf = instrument_of or instruments_from({})
        self.state: RiskState = self.engine.initial_state()
        self.replaying = False
        """While a resumed run replays its recorded past, the stage only watches the market."""
        self._current: datetime | None = None
        self._reviewed: datetime | None = None
        self.bar_seconds = _DAY
        """The length of the latest bar (a day until the first bar)."""
        self._closed_pnl: dict[str, Decimal] = {}
        self._applied: set[str] = set()
        self.acted = 0
        self.skipped = 0
        self.skip_reasons: Counter[str] = Counter()
        """Skipped decisions by their first failed check."""
        self.exits = 0
        """Exit decisions of the review and the rebalance (counted in ``acted`` too)."""
        rules = DutyRules(self.engine.config, setup.calendar, setup.review_every, setup.summary)
        self.duties = (
            None if clock is None else DutyRunner(self, clock, rules, portfolio, orders, bus)
        )
        """The timed duties (:mod:`tradebot.engine.risk_duty_runner`); none without a clock."""

    @property
    def current(self) -> datetime | None:
        """The latest bar time (open until :attr:`bar_time_open` says it closed)."""
        return self._current

    @property
    def bar_time_open(self) -> bool:
        return self._reviewed != self._current

    # --- bus handlers --------------------------------------------------------------------
    def before_bar(self, bar: Bar) -> None:
        """Subscribed first on ``market.bars``: a bar of a new time closes the previous
        time (before the venue fills anything at this bar), then the market moves."""
        current = self._current
        new_time = current is None or bar.ts > current
        closed = new_time and self._close(bar.ts)
        if new_time:
            self._current = bar.ts
        self.bar_seconds = bar.timeframe.seconds
        self.market.on_bar(bar)
        duties = self.duties  # a duty due by this bar's time waits for its review
        if duties is not None and (closed or (new_time and duties.replan)):
            duties.plan(bar.ts, overdue=False)

    def close_through(self, ts: datetime) -> None:
        """Time moves on to ``ts`` with an event that is not a bar (a timer, a report, a
        command): the bar time before it is reviewed now, if it was not; a duty already
        due gets a timer at ``ts``."""
        if self._close(ts) and self.duties is not None:
            self.duties.plan(ts, overdue=True)

    def warm_up(self, bar: Bar) -> None:
        """A bar from before the trading period: the market state learns, nothing else."""
        self.market.on_bar(bar)

    def on_signal(self, signal: Signal) -> None:
        if self.replaying:
            return
        micro = self._micro
        view = signal_view(
            signal,
            self.instrument_of(signal.symbol),
            is_micro=bool(micro) and signal.sources.keys() <= micro,
        )
        now = self._trade_time(signal.ts, view.asset_class)
        if self.operator.held_back(view, now):
            return  # skipped with the check "operator": a pause or a kill holds it back
        outcome = self.engine.decide(
            view,
            portfolio_view(self._portfolio, self._orders, self.instrument_of),
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
        self.publish(decision)

    def count(self, decision: TradingDecision) -> None:
        """Count a decision made here — or one this run recorded before it was resumed, so
        a resumed run's figures are the whole run's. An exit answers a signal of the
        engine's own (``risk:<reason>``)."""
        if decision.action is DecisionAction.ACT:
            self.acted += 1
            if decision.strategies and decision.strategies[0].startswith(RISK_SOURCE):
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
                self.instrument_of(fill.symbol).asset_class,
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
        self.record(events)
        if self.duties is not None:
            self.duties.between_bars()

    def on_order(self, order: Order) -> None:
        """An entry (or a later tranche) refused or cancelled before any fill frees its
        symbol: the engine forgets the pending entry and the rest of its tranches. An exit
        refused or cancelled leaves its duty due again: the timers are planned again."""
        if self.replaying or order.status not in _FAILED:
            return
        tracked = self._orders.tracked(order.client_order_id)
        if tracked is None or tracked.is_protective:
            return
        if order.side is OrderSide.BUY:
            if tracked.filled == 0:
                self.state = self.engine.cancel_entry(self.state, order.symbol)
        elif self.duties is not None:
            self.duties.between_bars()

    def on_timer(self, timer: TimerEvent) -> None:
        """Subscribed on :data:`~tradebot.engine.risk_duties.RISK_TIMERS`: a duty is due
        (:meth:`DutyRunner.on_timer <tradebot.engine.risk_duty_runner.DutyRunner.on_timer>`)."""
        if self.duties is not None:
            self.duties.on_timer(timer)

    # --- operator commands ---------------------------------------------------------------
    def close_position(self, symbol: str, reason: str, ts: datetime) -> None:
        """Close the whole long position in ``symbol`` at ``ts``, or raise
        :class:`~tradebot.domain.commands.CommandRefusedError` (:meth:`RiskOperator.close_position
        <tradebot.engine.risk_operator.RiskOperator.close_position>`)."""
        self.operator.close_position(symbol, reason, ts)

    def set_tier(self, tier: str, reason: str, ts: datetime) -> None:
        """Set the risk tier from ``ts`` on, or raise ``CommandRefusedError``
        (:meth:`RiskOperator.set_tier <tradebot.engine.risk_operator.RiskOperator.set_tier>`)."""
        self.operator.set_tier(tier, reason, ts)

    # --- the close of a bar time ---------------------------------------------------------
    def close_time(self, ts: datetime) -> None:
        """Review positions, rebalance, send due tranches and close the day at ``ts``.

        One portfolio view serves every step: nothing fills inside this method, so the view
        goes stale only when a step sends orders (they change the pending symbols and the
        reserved cash), and only then is it taken again. A rebalance that is not due and a
        state without tranche plans need no view at all."""
        engine = self.engine
        view = self.view()
        review = engine.review(view, self.market, self.state, ts)
        self.state = review.state
        self.record(review.events)
        stale = self.send_exits(review.exits, ts)
        if self.duties is not None:
            self.duties.last_review = ts
        trade_at = self._trade_time(ts, AssetClass.EQUITY)
        if engine.rebalance_due(self.state, trade_at) and not self.operator.halted():
            if stale:
                view, stale = self.view(), False
            rebalance = engine.rebalance(view, self.state, trade_at)
            self.state = rebalance.state
            self.record(rebalance.events)
            stale = self.send_exits(rebalance.exits, ts)
        if self.state.tranches and self.operator.hold(Direction.LONG) is None:
            if stale:
                view, stale = self.view(), False
            tranches = engine.next_tranches(view, self.market, self.state, trade_at)
            self.state = tranches.state
            self.record(tranches.events)
            for order in tranches.orders:
                self._tranche(order, ts)
            stale = bool(tranches.orders)
        closes = self.state.performance.closes
        if day_ends(ts, self.bar_seconds, self._calendar, closes[-1][0] if closes else None):
            if stale:
                view = self.view()
            self.state, events = engine.end_of_day(view, self.state, ts)
            self.record(events)
            self.save(ts)
        elif self.save_each_close:
            self.save(ts)
        self._reviewed = ts

    def finish(self, last: datetime | None) -> None:
        """The run ends cleanly after bar time ``last``: close it, save the state (as of
        the latest duty run on a timer, when one ran after ``last``)."""
        if last is None:
            return
        if self._reviewed != last:
            self.close_time(last)
        later = None if self.duties is None else self.duties.latest
        self.save(last if later is None or later < last else later)

    def save(self, as_of: datetime) -> None:
        self._store.save_risk_state(self.run_id, as_of, self.state.to_dict)  # made on write

    save_each_close = False
    """Save the state at every bar time's close, not only at each session's end: a live
    session, whose restart after a crash continues from the latest one (a backtest or a
    replay rebuilds the past instead, so it saves once a day)."""

    def restore(self, as_of: datetime, state: dict[str, Any]) -> None:
        """Continue from a saved state: everything up to ``as_of`` (its close included)
        happened; the next bar time is the first this stage decides on (and its first
        bar plans the timers)."""
        self.state = RiskState.from_dict(state)
        self._current = self._reviewed = as_of
        self.replaying = False
        if self.duties is not None:
            self.duties.last_review = as_of
            self.duties.replan = True

    # --- for the duties and the operator --------------------------------------------------
    def view(self) -> StaticPortfolio:
        """The ledger and the open orders as the engine sees them, now."""
        return portfolio_view(self._portfolio, self._orders, self.instrument_of)

    def send_exits(self, exits: Sequence[ExitIntent], ts: datetime) -> bool:
        """Send each exit as a decision of its own on a signal of its own (both stored);
        whether any went out (the view is then stale). Under a kill none goes out: no
        order may, and the next review finds them again."""
        if not exits or self.operator.halted():
            return False
        for intent in exits:
            price = intent.price or self.market.last_price(intent.symbol) or Decimal(1)
            signal, decision = exit_decision(self.run_id, intent, price, ts)
            self._store.record_signal(self.run_id, signal)
            self.publish(decision)
        return True

    def publish(self, decision: TradingDecision) -> None:
        """Count, store and publish a decision made here."""
        self.count(decision)  # a skip counts under its first failed check
        self._store.record_decision(self.run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def record(self, events: Sequence[RiskEvent]) -> None:
        """Store ``events`` and publish them (:data:`RISK_EVENTS`) for whoever listens."""
        if events:
            self._store.record_risk_events(self.run_id, events)
            self._bus.publish(RISK_EVENTS, tuple(events))

    # --- internals -----------------------------------------------------------------------
    def _close(self, ts: datetime) -> bool:
        """Close the open bar time before ``ts``, if there is one; whether it did."""
        current = self._current
        if current is None or ts <= current or self.replaying or self._reviewed == current:
            return False
        self.close_time(current)
        return True

    def _trade_time(self, ts: datetime, kind: AssetClass) -> datetime:
        """When an order decided at bar time ``ts`` trades: the next window opening for a
        daily equity bar (stamped at the close), the bar time otherwise."""
        if self.bar_seconds < _DAY or kind is AssetClass.CRYPTO:
            return ts
        opens = self.engine.next_window_open(ts)
        return ts if opens is None else opens

    def _tranche(self, order: TrancheOrder, ts: datetime) -> None:
        levels = self.state.stops.get(order.symbol)
        bracket = None if levels is None else (levels.stop_loss, levels.take_profit)
        reason = f"tranche {order.index + 1} of {order.parent_decision_id}"
        sent = self._orders.submit_leg(
            order.parent_decision_id, order.index, order.quantity, ts, reason, bracket
        )
        if sent is None:
            self.state = self.engine.cancel_entry(self.state, order.symbol)
