"""Decisions the risk stage makes besides :meth:`RiskEngine.decide`'s: exits, and entries
an operator's hold refused.

An **exit** (a review's stop crossing or stale price, a rebalance sell, the operator closing
a position: an :class:`~tradebot.risk.outcome.ExitIntent`) is a decision of its own on a
signal of its own: the signal's source names who asked (``risk:<reason>`` for the engine,
``operator:close`` for the operator), so every
decision still answers to one stored signal, and the ids derive from run, symbol, source
and time — an exit made again for the same reason at the same time is the same record.

An **operator skip** is the decision for a signal that arrived while the operator's gate
held it back (a pause or a kill): the trace's first failed check is ``operator`` and says
which command, so the skip tables count it under ``operator``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.domain.messages import DecisionCheck, Signal, TradingDecision
from tradebot.engine.ids import decision_id, signal_id
from tradebot.engine.operator_gate import Hold
from tradebot.risk import ExitIntent, ExitReason, RiskCheck, SignalView, SizeEffect

__all__ = ["OPERATOR_CHECK", "OPERATOR_CLOSE", "RISK_SOURCE", "exit_decision", "operator_skip"]

OPERATOR_CHECK = "operator"
"""The trace check that says an operator command blocked the decision (as the reference
decision stage writes it)."""
OPERATOR_CLOSE = "operator:close"
"""The source of the signal behind an exit the operator asked for."""
RISK_SOURCE = "risk:"
"""The prefix of the source of the signal behind an exit the engine decided."""


def exit_decision(
    run_id: str, intent: ExitIntent, price: Decimal, ts: datetime
) -> tuple[Signal, TradingDecision]:
    """Sell ``intent.quantity`` of ``intent.symbol`` at market, decided at ``ts`` (at
    ``price``, the last one known), on a signal from ``risk:<reason>`` — or from
    ``operator:close`` for the operator's close."""
    symbol, reason, detail = intent.symbol, intent.reason.value, intent.detail
    source = OPERATOR_CLOSE if intent.reason is ExitReason.OPERATOR else f"{RISK_SOURCE}{reason}"
    why = detail if detail.startswith(reason) else f"{reason}: {detail}"
    sid = signal_id(run_id, symbol, ts, source)
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
        "reason": reason,
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
        trace=(DecisionCheck(f"exit: {reason}", True, detail, inputs),),
        strategies=(source,),
    )
    return signal, decision


def operator_skip(signal: SignalView, hold: Hold, now: datetime) -> TradingDecision:
    """The skip of ``signal`` (evaluated at ``now``) under ``hold``: an entry under a pause
    or a kill, an exit under a kill. The trace names the direction, then the hold."""
    entry = signal.direction is Direction.LONG
    inputs: dict[str, object] = {
        "command_id": hold.command_id,
        "kind": hold.kind,
        "source": hold.source,
        "since": hold.ts,
        "now": now,
    }
    if entry:
        direction = RiskCheck("direction", True, "long signal: evaluate an entry")
        blocked = f"entries blocked: {hold.describe()}"
        reason = f"entries blocked by the operator ({hold.kind})"
    else:
        direction = RiskCheck("direction", True, "short signal exits the long position")
        blocked = f"orders halted: {hold.describe()}"
        reason = f"orders halted by the operator ({hold.kind})"
    operator = RiskCheck(OPERATOR_CHECK, False, blocked, inputs, SizeEffect.REJECT)
    return TradingDecision(
        id=decision_id(signal.id),
        signal_id=signal.id,
        ts=signal.ts,
        symbol=signal.symbol,
        action=DecisionAction.SKIP,
        side=None,
        quantity=Decimal(0),
        reference_price=signal.price,
        reason=reason,
        trace=(direction.to_decision_check(), operator.to_decision_check()),
        strategies=signal.strategies,
    )
