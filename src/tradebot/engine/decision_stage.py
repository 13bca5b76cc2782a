"""The reference decision stage: one persisted decision per signal, act or skip, with a trace.

It is the plain policy users compare other engines against (and the peer benchmark's
standard case): a LONG signal enters long — or covers a short — and a SHORT signal leaves a
long, or enters short where short selling is enabled. Entries are sized as a fixed fraction
of equity in whole units (fractional when configured), capped by the cash not already
promised to open buy orders, less a buffer for the gap between the decision price (bar t
close) and the fill (bar t+1 open); or, with ``all_in``, as all free cash, which the venue
turns into units at the fill price. An entry may carry a stop-loss and a take-profit a fixed
fraction away from the decision price (a bracket at the venue). The autonomous risk engine
is the other decision stage; both write the same trace: one :class:`DecisionCheck` per rule,
in order.

The operator's gate (:class:`~tradebot.engine.operator_gate.OperatorGate`) is asked before
an entry is sized: under a pause or a kill the entry is skipped with the check ``operator``
saying which command blocked it; an exit is skipped only under a kill (a paused bot still leaves its
positions). :meth:`DecisionStage.close_position` is the operator closing a position now
(close-position and flatten commands): an exit decision of its own, on a signal of the
operator's, refused in one line (:class:`~tradebot.domain.commands.CommandRefusedError`) when
the position is not held or an exit order for it is already working.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

from tradebot.domain.commands import CommandRefusedError
from tradebot.domain.enums import DecisionAction, Direction, OrderSide
from tradebot.domain.instrument import Instrument
from tradebot.domain.messages import DecisionCheck, Signal, TradingDecision
from tradebot.domain.position import Position
from tradebot.engine.ids import decision_id, signal_id
from tradebot.engine.operator_gate import OperatorGate
from tradebot.engine.order_manager import OrderManager
from tradebot.engine.portfolio import Portfolio
from tradebot.engine.topics import DECISIONS
from tradebot.ports import Bus, Store

__all__ = ["OPERATOR_CHECK", "DecisionStage", "SizingRules", "skip_reason"]

_ALL_IN_QUANTUM = Decimal("1e-12")
"""The smallest quantity an all-in (notional) order is sized to at the venue."""
_QUANTUM_TEXT = str(_ALL_IN_QUANTUM)
_ZERO = Decimal(0)
_PRICE_PLACES = Decimal("1e-8")
_NOT_ALREADY_LONG, _NOT_ALREADY_SHORT = (
    f"not already {Direction.LONG}",
    f"not already {Direction.SHORT}",
)
_LEAVING = {
    side: f"{side} position open: "
    + ("cover the short" if side is Direction.SHORT else "leave the long")
    for side in Direction
}
"""The exit check's detail for a position on each side (made once, not per exit)."""
_EXIT_REASON = {(side, to): f"exit {side}: {to} signal" for side in Direction for to in Direction}
OPERATOR_CHECK = "operator"
"""The trace check that says an operator command blocked the decision."""
_OPERATOR_SOURCE = "operator:close"


@dataclass(frozen=True, slots=True)
class SizingRules:
    position_fraction: Decimal
    max_open_positions: int
    cash_buffer: Decimal
    commission_rate: Decimal
    fractional: bool = False
    lot: Decimal = Decimal("0.0001")
    all_in: bool = False
    """Spend all available cash on each entry (the venue sizes it at the fill price);
    the reference sizing of the standard benchmark case."""
    allow_short: bool = False
    """A SHORT signal while flat enters short (else it is skipped)."""
    stop_loss: Decimal | None = None
    """Attach a stop this fraction of the price away from the entry (e.g. 0.05)."""
    take_profit: Decimal | None = None
    """Attach a profit target this fraction of the price away from the entry."""


def skip_reason(decision: TradingDecision) -> str:
    """What the skip tables count a skipped decision under: its first failed check (both
    decision stages' traces list their checks in order), or its reason without one."""
    return next((step.check for step in decision.trace if not step.passed), decision.reason)


_Sizing = tuple[OrderSide | None, Decimal, Decimal | None, str]
"""(side or None to skip, quantity, notional for all-in entries, reason)."""


class DecisionStage:
    stage = "decision"
    needs_every_bar = False
    """It decides on signals alone: the batch path may skip the bars without one."""

    def __init__(
        self,
        *,
        run_id: str,
        rules: SizingRules,
        portfolio: Portfolio,
        orders: OrderManager,
        store: Store,
        bus: Bus,
        gate: OperatorGate | None = None,
        instrument_of: Callable[[str], Instrument] | None = None,
    ) -> None:
        """``gate``: the operator's pause and kill switch (none: never paused).
        ``instrument_of``: each symbol's instrument, whose lot a quantity is rounded down
        to (none: whole units, or ``rules.lot`` when ``rules.fractional``)."""
        self._instrument_of = instrument_of
        self._run_id = run_id
        self._rules = rules
        self._gate = gate
        self._portfolio = portfolio
        self._orders = orders
        self._store = store
        self._bus = bus
        self._seen: set[str] = set()
        self._brackets = rules.stop_loss is not None or rules.take_profit is not None
        self._unit_cost = 1 + rules.cash_buffer + rules.commission_rate
        """What one unit costs per unit of price, buffer and commission included (made once:
        the same Decimal sum each entry made)."""
        self.acted = 0
        self.skipped = 0
        self.skip_reasons: Counter[str] = Counter()

    def on_signal(self, signal: Signal) -> None:
        did = decision_id(signal.id)
        if did in self._seen:
            return  # redelivered signal: it was decided already
        self._seen.add(did)
        price = Decimal(repr(signal.price))
        trace: list[DecisionCheck] = []
        side, qty, notional, reason = self._decide(signal, price, trace)
        action = DecisionAction.ACT if side is not None else DecisionAction.SKIP
        stop_loss = take_profit = None
        if self._brackets and side is not None and signal.symbol not in self._portfolio.positions:
            stop_loss, take_profit = self._bracket(side, price)
        decision = TradingDecision(
            id=did,
            signal_id=signal.id,
            ts=signal.ts,
            symbol=signal.symbol,
            action=action,
            side=side,
            quantity=qty,
            notional=notional,
            reference_price=price,
            reason=reason,
            trace=tuple(trace),
            strategies=tuple(signal.sources),
            stop_loss=stop_loss,
            take_profit=take_profit,
        )
        if side is not None:
            self.acted += 1  # (count's first case, inlined: every entry and exit)
        else:
            self.count(decision)
        self._store.record_decision(self._run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def count(self, decision: TradingDecision) -> None:
        """Count a decision made here — or one this run recorded before it was resumed, so
        a resumed run's figures are the whole run's."""
        if decision.action is DecisionAction.ACT:
            self.acted += 1
        else:
            self.skipped += 1
            self.skip_reasons[skip_reason(decision)] += 1

    def close_position(self, symbol: str, reason: str, ts: datetime) -> None:
        """The operator closes ``symbol``'s whole position at ``ts``: an exit decision (a
        market order) on a signal of the operator's, both recorded, the trace's one check
        ``operator`` saying why. :class:`CommandRefusedError` (one line) when the position is
        not held, a kill halts orders (a flatten lifts that for its own closes), or an
        order closing it is already working."""
        held = self._portfolio.positions.get(symbol)
        if held is None:
            raise CommandRefusedError(f"no {symbol} position to close", "nothing is held in it")
        gate = self._gate
        if gate is not None and (hold := gate.order_block(closes=True)) is not None:
            raise CommandRefusedError(
                f"cannot close {symbol}: orders are halted ({hold.describe()})",
                "resume first, or flatten to close everything",
            )
        long = held.side is Direction.LONG
        side = OrderSide.SELL if long else OrderSide.BUY
        working = [o.client_order_id for o in self._orders.open_orders(symbol) if o.side is side]
        if working:
            raise CommandRefusedError(
                f"an order closing {symbol} is already working ({working[0]})",
                "wait for it to fill, or kill to cancel every open order",
            )
        sid = signal_id(self._run_id, symbol, ts, _OPERATOR_SOURCE)
        did = decision_id(sid)
        if did in self._seen:
            raise CommandRefusedError(f"{symbol} was closed by the operator at {ts.isoformat()}")
        self._seen.add(did)
        mark = self._portfolio.mark(symbol)
        price = held.avg_price if mark is None else Decimal(repr(mark))
        signal = Signal(
            id=sid,
            ts=ts,
            symbol=symbol,
            direction=Direction.SHORT if long else Direction.LONG,
            strength=1.0,
            confidence=1.0,
            price=float(price),
            sources={_OPERATOR_SOURCE: 1.0},
        )
        inputs = {"quantity": str(held.quantity), "price": str(price), "now": ts.isoformat()}
        decision = TradingDecision(
            id=did,
            signal_id=sid,
            ts=ts,
            symbol=symbol,
            action=DecisionAction.ACT,
            side=side,
            quantity=held.quantity,
            reference_price=price,
            reason=f"exit {held.side}: {reason}",
            trace=(DecisionCheck(OPERATOR_CHECK, True, reason, inputs),),
            strategies=(_OPERATOR_SOURCE,),
        )
        self.count(decision)
        self._store.record_signal(self._run_id, signal)
        self._store.record_decision(self._run_id, decision)
        self._bus.publish(DECISIONS, decision)

    def _decide(self, signal: Signal, price: Decimal, trace: list[DecisionCheck]) -> _Sizing:
        held = self._portfolio.positions.get(signal.symbol)
        direction = signal.direction
        if direction is Direction.NEUTRAL:
            return _skip("neutral signal: nothing to do")
        wants_long = direction is Direction.LONG
        if held is not None and (held.side is Direction.LONG) is not wants_long:
            return self._exit(signal, held, trace)
        if held is not None:
            _check(trace, f"not already {held.side}", False, f"holding {signal.symbol}")
            return _skip(f"already {held.side} {signal.symbol}")
        if not wants_long and not self._rules.allow_short:
            _check(trace, "holding to exit", False, "flat; short selling disabled")
            return _skip("no long position to exit (short selling disabled)")
        return self._entry(signal, price, trace)

    def _entry(self, signal: Signal, price: Decimal, trace: list[DecisionCheck]) -> _Sizing:
        symbol = signal.symbol
        long = signal.direction is Direction.LONG
        side = OrderSide.BUY if long else OrderSide.SELL
        _check(trace, _NOT_ALREADY_LONG if long else _NOT_ALREADY_SHORT, True, "flat")
        gate = self._gate  # asked only while a pause or a halt holds
        if (
            gate is not None
            and (gate.halted is not None or gate.paused is not None)
            and (hold := gate.entry_block()) is not None
        ):
            _check(trace, OPERATOR_CHECK, False, f"entries blocked: {hold.describe()}")
            return _skip(f"entries blocked by the operator ({hold.kind})")
        pending = self._orders.open_count(symbol)
        if not _check(trace, "no open order", not pending, f"{pending} open order(s)"):
            return _skip(f"an order for {symbol} is still open")
        positions = self._portfolio.positions
        busy = len(positions)
        if self._orders.has_open():
            busy += sum(1 for o in self._orders.open_orders() if o.symbol not in positions)
        limit = self._rules.max_open_positions
        if not _check(
            trace,
            "max open positions",
            busy < limit,
            f"{busy} of {limit} in use",
            {"open": busy, "max": limit},
        ):
            return _skip(f"max open positions reached ({limit})")
        available = self._portfolio.cash - self._orders.reserved_cash()
        unit_cost = price * self._unit_cost
        if self._rules.all_in:  # the amount goes out as a notional; the venue sizes it
            enough = available >= unit_cost * _ALL_IN_QUANTUM
            cash = str(available)
            detail = (
                f"all-in with {cash} of cash"
                if enough
                else f"{cash} of cash buys less than {_QUANTUM_TEXT} unit"
            )
            inputs = {"available_cash": cash, "min_quantity": _QUANTUM_TEXT}
            if not _check(trace, "cash to invest", enough, detail, inputs):
                return _skip("no cash to invest")
            reason = f"enter {signal.direction} all-in: signal strength {signal.strength:.2f}"
            return side, _ZERO, available, reason
        equity = self._portfolio.equity()
        target = equity * self._rules.position_fraction
        affordable = max(available, _ZERO) / unit_cost
        qty = self._round(min(target / price, affordable), symbol)
        inputs = {
            "equity": str(equity),
            "fraction": str(self._rules.position_fraction),
            "price": str(price),
            "available_cash": str(available),
            "quantity": str(qty),
        }
        capped = "cash" if affordable < target / price else "fraction of equity"
        if not _check(trace, "position size", qty > 0, f"{qty} units, capped by {capped}", inputs):
            return _skip("insufficient cash for one unit")
        reason = f"enter {signal.direction}: signal strength {signal.strength:.2f}"
        return side, qty, None, reason

    def _exit(self, signal: Signal, held: Position, trace: list[DecisionCheck]) -> _Sizing:
        _check(trace, "holding to exit", True, _LEAVING[held.side])
        gate = self._gate  # only a halt holds an exit back
        if (
            gate is not None
            and gate.halted is not None
            and (hold := gate.order_block(closes=True)) is not None
        ):
            _check(trace, OPERATOR_CHECK, False, f"orders halted: {hold.describe()}")
            return _skip(f"orders halted by the operator ({hold.kind})")
        pending = self._orders.open_count(signal.symbol)
        if not _check(trace, "no open order", not pending, f"{pending} open order(s)"):
            return _skip(f"an order for {signal.symbol} is still open")
        side = OrderSide.SELL if held.side is Direction.LONG else OrderSide.BUY
        return side, held.quantity, None, _EXIT_REASON[held.side, signal.direction]

    def _bracket(
        self, side: OrderSide | None, price: Decimal
    ) -> tuple[Decimal | None, Decimal | None]:
        """Stop-loss and take-profit of an entry, a fixed fraction away from the price."""
        rules = self._rules
        sign = 1 if side is OrderSide.BUY else -1
        stop = None if rules.stop_loss is None else price * (1 - sign * rules.stop_loss)
        target = None if rules.take_profit is None else price * (1 + sign * rules.take_profit)
        return (
            None if stop is None else stop.quantize(_PRICE_PLACES),
            None if target is None else target.quantize(_PRICE_PLACES),
        )

    def _round(self, qty: Decimal, symbol: str) -> Decimal:
        """Down to the instrument's lot (never up: an order never buys more than sized)."""
        if self._instrument_of is not None:
            return self._instrument_of(symbol).round_quantity(qty)
        step = self._rules.lot if self._rules.fractional else Decimal(1)
        return (qty / step).to_integral_value(rounding=ROUND_DOWN) * step


def _skip(reason: str) -> _Sizing:
    return None, _ZERO, None, reason


def _check(
    trace: list[DecisionCheck],
    name: str,
    passed: bool,
    detail: str,
    inputs: dict[str, Any] | None = None,
) -> bool:
    """Add a check to ``trace``; ``inputs``: a dict made for this check (kept, not copied)."""
    trace.append(DecisionCheck(name, passed, detail, {} if inputs is None else inputs))
    return passed
