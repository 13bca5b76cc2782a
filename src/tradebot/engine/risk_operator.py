"""The operator's side of the risk stage: what a pause or a kill holds back, and the
close-position and set-tier commands.

- Under a **pause** (or a kill) an entry signal is skipped: one decision whose trace's
  first failed check is ``operator``, naming the command (a redelivered signal is skipped
  once, like any decided signal). Tranche plans wait.
- Under a **kill** an exit signal is skipped the same way, the review still moves stops and
  runs the breakers but sends no exit (no order may go out; the first review after
  ``resume`` finds them again) and the weekly rebalance waits. A flatten's own closes pass
  (``gate.closing``).
- :meth:`RiskOperator.close_position` and :meth:`RiskOperator.set_tier` carry out the
  commands of those names (the command stage calls them through the stage); a command that
  cannot be carried out raises :class:`~tradebot.domain.commands.CommandRefusedError`, one line.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.enums import Direction, OrderSide
from tradebot.engine.operator_gate import Hold, OperatorGate
from tradebot.engine.risk_decisions import operator_skip
from tradebot.risk import ExitIntent, ExitReason, SignalView, TierName
from tradebot.risk.dedupe import first_sighting

if TYPE_CHECKING:
    from tradebot.engine.order_manager import OrderManager
    from tradebot.engine.portfolio import Portfolio
    from tradebot.engine.risk_stage import RiskStage

__all__ = ["RiskOperator"]


class RiskOperator:
    def __init__(
        self,
        stage: RiskStage,
        gate: OperatorGate | None,
        portfolio: Portfolio,
        orders: OrderManager,
    ) -> None:
        self._stage = stage
        self._gate = gate
        self._portfolio = portfolio
        self._orders = orders

    def hold(self, direction: Direction) -> Hold | None:
        """What holds back a decision in ``direction`` now: an entry under a pause or a
        kill, an exit under a kill (but a flatten's closing orders)."""
        gate = self._gate
        if gate is None or direction is Direction.NEUTRAL:
            return None
        return gate.entry_block() if direction is Direction.LONG else gate.order_block(closes=True)

    def halted(self) -> bool:
        """Whether the operator's kill holds every order back (but a flatten's)."""
        return self.hold(Direction.SHORT) is not None

    def held_back(self, view: SignalView, now: datetime) -> bool:
        """Skip ``view`` (evaluated at ``now``) if a hold forbids it; whether it was held."""
        hold = self.hold(view.direction)
        if hold is None:
            return False
        stage = self._stage
        ttl = stage.engine.config.entry.dedupe_ttl
        fresh, seen = first_sighting(stage.state.seen, view.id, now, ttl)
        if fresh:
            stage.state = stage.state.evolve(seen=seen)
            stage.publish(operator_skip(view, hold, now))
        return True

    def close_position(self, symbol: str, reason: str, ts: datetime) -> None:
        """The operator closes the whole long position in ``symbol`` now (close-position,
        and each position of a flatten): an exit decision stamped ``ts`` like the review's,
        on a signal of the operator's (``operator:close``), for the quantity held; the
        symbol's remaining tranches are dropped; ``reason`` goes into the trace.

        Raises :class:`~tradebot.domain.commands.CommandRefusedError` (one line) when the run is
        replaying its past, ``symbol`` is not held long, an exit order for it is already
        working, or orders are halted (a kill; a flatten sets ``gate.closing`` first)."""
        stage = self._stage
        self._refuse_while_replaying(f"close {symbol}")
        held = self._portfolio.positions.get(symbol)
        if held is None or held.side is not Direction.LONG or held.quantity <= 0:
            raise CommandRefusedError(
                f"no {symbol} position to close", "name a symbol the run holds"
            )
        working = [o for o in self._orders.open_orders(symbol) if o.side is OrderSide.SELL]
        if working:
            raise CommandRefusedError(
                f"an exit order for {symbol} is already working ({working[0].client_order_id})",
                "wait for it to fill or be cancelled",
            )
        block = self.hold(Direction.SHORT)
        if block is not None:
            raise CommandRefusedError(
                f"cannot close {symbol}: orders are halted ({block.describe()})",
                "flatten closes every position under a kill; or resume first",
            )
        price = stage.market.last_price(symbol) or held.avg_price
        tranches = {s: p for s, p in stage.state.tranches.items() if s != symbol}
        stage.state = stage.state.evolve(tranches=tranches)
        detail = f"closed by the operator: {reason}" if reason else "closed by the operator"
        stage.send_exits(
            (ExitIntent(symbol, held.quantity, ExitReason.OPERATOR, price, detail),), ts
        )

    def set_tier(self, tier: str, reason: str, ts: datetime) -> None:
        """The operator sets the risk tier (``conservative``, ``moderate``, ``aggressive``)
        from ``ts`` on; the tier history records the change with the operator as its
        trigger (``operator: <reason>``). Setting the current tier changes nothing.

        Raises :class:`~tradebot.domain.commands.CommandRefusedError` for an unknown tier, or
        while the run replays its recorded past."""
        try:
            name = TierName(tier.strip().lower())
        except ValueError:
            names = ", ".join(t.value for t in TierName)
            raise CommandRefusedError(
                f"unknown risk tier {tier!r}", f"use one of {names}"
            ) from None
        self._refuse_while_replaying(f"set the tier to {name}")
        stage = self._stage
        trigger = f"operator: {reason}" if reason else "operator"
        stage.state, events = stage.engine.set_tier(stage.state, name, ts, source=trigger)
        stage.record(events)

    def _refuse_while_replaying(self, what: str) -> None:
        if self._stage.replaying:
            raise CommandRefusedError(
                f"cannot {what} while the run replays its recorded past",
                "send the command again once the run has resumed",
            )
