"""Resuming a run from the store: cold start and crash restart are the same code path.

A run saves its risk-state document with the bar time it holds up to (``as_of``: at each
session end and when it stops cleanly). To resume, the kernel replays the run's bars from
the beginning *without deciding anything*:

- strategies see every bar and article (they warm up exactly as they were);
- the market state (ATR, returns, last prices) follows the bars;
- the venue is rebuilt from the run's own recorded orders: each is sent again, with its
  bracket, just before the first bar after the time it was decided at (a simulated venue
  keeps nothing across a restart, and it is deterministic, so it ends where it was: open
  orders, armed brackets, its own cash account);
- the ledger is rebuilt from the fills this produces, each checked against the fill the
  store recorded (same id, same content, none missing): a replay that does not match the
  record stops the resume with one error line rather than trading on a different past.
  A fill is stamped with when it happened, and the open of the bar after ``as_of`` is
  ``as_of`` itself where bars follow each other without a gap (intraday, 24/7 markets): a
  recorded fill stamped ``as_of`` that the past did not replay is one of that bar's, and
  must come back, the same, while the first bar time after ``as_of`` runs (:meth:`Replay.settle`);
- the run's counts (signals emitted, decisions acted and skipped by reason, the news
  strategy's share) take in the signals and decisions recorded up to ``as_of``, bar time by
  bar time, so a resumed run's summary is the whole run's, not only what followed the
  resume.

Then the risk engine takes its saved state (tiers, reserve, breakers, stops, pending entries
and tranches, open tax lots) and the run continues after ``as_of`` with the same decisions
an uninterrupted run makes. Records written again on the way (orders, fills, snapshots,
closed trades, decisions and risk events after a crash) are idempotent in the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from tradebot.domain.bar import Bar
from tradebot.domain.enums import OrderType
from tradebot.domain.errors import DataError
from tradebot.domain.messages import Fill, Order, Signal, TradingDecision
from tradebot.engine.contributions import StrategyContributions
from tradebot.engine.decision_stage import DecisionStage
from tradebot.engine.execution_stage import ExecutionStage
from tradebot.engine.ids import client_order_id
from tradebot.engine.order_manager import Bracket, OrderManager
from tradebot.engine.portfolio_stage import PortfolioStage
from tradebot.engine.risk_stage import RiskStage
from tradebot.engine.signal_stage import SignalStage
from tradebot.ports import RiskCheckpoint

__all__ = ["RecordedOrder", "Replay", "ResumePoint", "resume_point"]


@dataclass(frozen=True, slots=True)
class RecordedOrder:
    """An order the run sent itself (not a bracket child), with what sending it needs."""

    order: Order
    strategies: tuple[str, ...]
    reference_price: Decimal
    bracket: Bracket | None


@dataclass(frozen=True, slots=True)
class ResumePoint:
    as_of: datetime
    state: dict[str, Any]
    """The risk engine's state document (empty for the reference stage)."""
    orders: tuple[RecordedOrder, ...]
    """Orders decided at or before ``as_of``, in the order they were sent."""
    fills: Mapping[str, Fill]
    """Fills at or before ``as_of``, by id: what the replay must reproduce."""
    decisions: tuple[TradingDecision, ...] = ()
    """Decisions made at or before ``as_of``, in time order: what the replay counts."""
    signals: tuple[Signal, ...] = ()
    """Signals recorded at or before ``as_of``, in time order: what the replay counts."""


def resume_point(
    checkpoint: RiskCheckpoint,
    decisions: Iterable[TradingDecision],
    orders: Iterable[Order],
    fills: Iterable[Fill],
    signals: Iterable[Signal] = (),
) -> ResumePoint:
    """Select and arrange what a run recorded up to its checkpoint."""
    as_of = checkpoint.as_of
    decided = tuple(decisions)
    by_id = {d.id: d for d in decided}
    kept = [o for o in orders if o.created_at <= as_of]
    children: dict[str, list[Order]] = {}
    sent: list[Order] = []
    for order in kept:
        parent = _parent(order, kept)
        if parent is None:
            sent.append(order)
        else:
            children.setdefault(parent, []).append(order)
    recorded = []
    for order in sorted(sent, key=lambda o: (o.created_at, o.client_order_id)):
        decision = by_id.get(order.decision_id)
        if decision is None:
            raise DataError(
                f"order {order.client_order_id} has no recorded decision {order.decision_id}",
                "the run's records are incomplete; it cannot be resumed",
            )
        recorded.append(
            RecordedOrder(
                order,
                decision.strategies,
                decision.reference_price,
                _bracket_of(children.get(order.client_order_id, ())),
            )
        )
    return ResumePoint(
        as_of,
        dict(checkpoint.state),
        tuple(recorded),
        {f.fill_id: f for f in fills if f.ts <= as_of},
        tuple(sorted((d for d in decided if d.ts <= as_of), key=lambda d: d.ts)),
        tuple(sorted((s for s in signals if s.ts <= as_of), key=lambda s: s.ts)),
    )


def _parent(order: Order, orders: list[Order]) -> str | None:
    """The entry a bracket child belongs to: the order of the same decision whose id its
    own id extends (legs of a decision are ``tb-<decision>[.<leg>]`` and are not children)."""
    coid = order.client_order_id
    first = client_order_id(order.decision_id)
    if coid == first or coid.startswith(first + "."):
        tail = coid[len(first) + 1 :]
        if coid == first or tail.isdigit():
            return None
    candidates = [
        o.client_order_id
        for o in orders
        if o.decision_id == order.decision_id
        and o.client_order_id != coid
        and coid.startswith(o.client_order_id)
    ]
    return max(candidates, key=len) if candidates else None


def _bracket_of(children: Iterable[Order]) -> Bracket | None:
    stop = next((c.stop_price for c in children if c.type is OrderType.STOP), None)
    target = next((c.limit_price for c in children if c.type is OrderType.LIMIT), None)
    return None if stop is None and target is None else (stop, target)


class Replay:
    """Drives the kernel's stages through the recorded past (see the module docstring)."""

    def __init__(
        self,
        point: ResumePoint,
        *,
        orders: OrderManager,
        execution: ExecutionStage,
        ledger: PortfolioStage,
        signals: SignalStage,
        decisions: DecisionStage | RiskStage,
        contributions: StrategyContributions | None = None,
    ) -> None:
        """``contributions``: the news strategy's share, where the kernel keeps one."""
        self.point = point
        self._orders = orders
        self._execution = execution
        self._ledger = ledger
        self._signals = signals
        self._decisions = decisions
        self._risk = decisions if isinstance(decisions, RiskStage) else None
        self._contributions = contributions
        self._next = 0
        self._counted = (0, 0)  # signals, decisions of the record counted so far
        self._seen: set[str] = set()
        self._owed: set[str] = set()
        """Recorded fills stamped ``as_of`` still to come back (see :meth:`settle`)."""
        self.done = False
        if self._risk is not None:
            self._risk.replaying = True

    @property
    def as_of(self) -> datetime:
        return self.point.as_of

    def on_fill(self, fill: Fill) -> None:
        """Subscribed to ``fills`` for the replay: each must be one the run recorded (after
        the past, only the recorded fills still owed are checked)."""
        if fill.fill_id in self._seen or (self.done and fill.fill_id not in self._owed):
            return
        self._owed.discard(fill.fill_id)
        recorded = self.point.fills.get(fill.fill_id)
        if recorded != fill:
            raise DataError(
                f"resuming: the replay filled {fill.client_order_id} ({fill.quantity} "
                f"{fill.symbol} at {fill.price}, {fill.ts.isoformat()}) but the run recorded "
                f"{'nothing' if recorded is None else 'a different fill'}",
                "resume with the data, settings and tradebot version the run started with",
            )
        self._seen.add(fill.fill_id)

    def bar(self, bar: Bar) -> None:
        self._send_until(bar.ts)
        self._count_until(bar.ts)
        if self._risk is not None:
            self._risk.before_bar(bar)
        self._execution.on_bar(bar)
        self._ledger.on_bar(bar)
        self._signals.warm_up(bar)

    def finish(self) -> None:
        """The past is replayed: send what was decided at ``as_of``, check that every
        recorded fill came back, and hand the risk engine its saved state."""
        self._send_until(None)
        self._count_until(None)
        unseen = set(self.point.fills) - self._seen
        self._owed = {i for i in unseen if self.point.fills[i].ts == self.point.as_of}
        missing = sorted(unseen - self._owed)
        if missing:
            raise DataError(
                f"resuming: {len(missing)} recorded fill(s) did not replay, first {missing[0]}",
                "resume with the data, settings and tradebot version the run started with",
            )
        self.done = True
        if self._risk is not None:
            if self.point.state:
                self._risk.restore(self.point.as_of, self.point.state)
            else:
                self._risk.replaying = False

    def settle(self) -> None:
        """The first bar time after ``as_of`` is done (or there is none): the recorded
        fills stamped ``as_of`` that the past did not replay, at that bar time's open,
        must have come back by now."""
        if self._owed:
            first = min(self._owed)
            raise DataError(
                f"resuming: {len(self._owed)} recorded fill(s) did not replay, first {first}",
                "resume with the data, settings and tradebot version the run started with",
            )

    def _send_until(self, ts: datetime | None) -> None:
        """Send the recorded orders decided before ``ts`` (all of them for ``None``)."""
        recorded = self.point.orders
        while self._next < len(recorded):
            item = recorded[self._next]
            if ts is not None and item.order.created_at >= ts:
                return
            self._orders.restore(item.order, item.strategies, item.reference_price, item.bracket)
            self._next += 1

    def _count_until(self, ts: datetime | None) -> None:
        """Count the recorded signals and decisions up to bar time ``ts`` (all for
        ``None``) as the stages counted them when they were made."""
        point, (done_signals, done_decisions) = self.point, self._counted
        share = self._contributions
        for signal in point.signals[done_signals:]:
            if ts is not None and signal.ts > ts:
                break
            self._signals.count(signal)
            if share is not None:
                share.on_signal(signal)
            done_signals += 1
        for decision in point.decisions[done_decisions:]:
            if ts is not None and decision.ts > ts:
                break
            self._decisions.count(decision)
            if share is not None:
                share.on_decision(decision)
            done_decisions += 1
        self._counted = (done_signals, done_decisions)
